/// A practical skill (a `## Practice:` section): observable steps that a facilitator watches
/// a learner do and signs off. Learners working alone see it as a checklist to rehearse.
public struct Practical: Sendable, Equatable, Codable, Identifiable {
    /// One observable step.
    public struct Step: Sendable, Equatable, Codable {
        /// The step as plain text.
        public var text: String
        /// The step as Markdown (inline formatting kept).
        public var markdown: String
        /// Where the step's list item starts.
        public var position: SourcePosition

        /// The step as safe HTML, without the enclosing paragraph.
        public var html: String {
            CommonMark.inlineHTML(markdown: markdown)
        }
    }

    /// `module-id/slug` (the slug of the title after `Practice:`), or `module-id/custom-id`.
    public var id: String
    /// The title after `Practice:`.
    public var title: String
    /// The id of the module it is in.
    public var moduleID: String
    /// Whether the steps are numbered (order matters).
    public var ordered: Bool
    /// The steps, in order.
    public var steps: [Step]
    /// Where the section heading is.
    public var position: SourcePosition
}
