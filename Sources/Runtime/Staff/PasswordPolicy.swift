import Foundation

/// What a staff password must be: at least 12 characters, not on a list of common
/// passwords, not the person's name, not one character or a keyboard run repeated.
public enum PasswordPolicy {
    /// The shortest password accepted.
    public static let minimumLength = 12
    /// The longest (bcrypt reads at most 72 bytes).
    public static let maximumBytes = 72

    /// Nil when the password is fine, else what to change.
    public static func problem(with password: String, name: String) -> String? {
        guard password.count >= minimumLength else {
            return "a password needs at least \(minimumLength) characters; a short sentence you'll remember works well"
        }
        guard password.utf8.count <= maximumBytes else {
            return "a password can be up to \(maximumBytes) bytes (about \(maximumBytes) letters)"
        }
        let folded = password.lowercased().filter { !$0.isWhitespace }
        if CommonPasswords.list.contains(folded) || CommonPasswords.list.contains(password.lowercased()) {
            return "that password is on a list of common passwords that attackers try first; choose another"
        }
        if Set(folded).count <= 2 {
            return "that password repeats one or two characters; choose one with more variety"
        }
        if CommonPasswords.runs.contains(where: { $0.contains(folded) }) {
            return "that password follows the keyboard or the alphabet; choose another"
        }
        let nameParts = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).filter { $0.count >= 3 }
        let bare = folded.filter { $0.isLetter || $0.isNumber }
        let nameBare = name.lowercased().filter { $0.isLetter || $0.isNumber }
        if !nameBare.isEmpty && (bare == nameBare || (nameBare.count >= 4 && bare.hasPrefix(nameBare) && bare.count - nameBare.count < 6))
            || nameParts.contains(where: { bare == String($0) }) {
            return "a password can't be your name; choose something others wouldn't guess"
        }
        if folded.contains("groundwork") && folded.count < 20 {
            return "a password built on \u{201C}groundwork\u{201D} is easy to guess here; choose another"
        }
        return nil
    }
}

/// Common passwords of 12 characters or more (shorter ones are refused anyway), lower case:
/// the kind that top leaked-password lists are full of.
enum CommonPasswords {
    /// Keyboard and alphabet runs.
    static let runs = [
        "1234567890123456789", "0987654321", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb", "qazwsxedcrfvtgbyhn", "mnbvcxzlkjhgfdsapoiuytrewq",
    ]

    static let list: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789123", "123412341234", "111111111111",
        "000000000000", "123123123123", "121212121212", "987654321000", "qwertyuiopas", "qwertyuiop123",
        "qwerty123456", "qwertyqwerty", "1q2w3e4r5t6y", "1qaz2wsx3edc", "q1w2e3r4t5y6", "asdfghjkl123",
        "zxcvbnm12345", "password1234", "password12345", "password123456", "passwordpassword", "password123!",
        "password1234!", "p@ssw0rd1234", "passw0rd1234", "mypassword123", "thisismypassword", "changeme1234",
        "letmein12345", "letmeinplease", "iloveyou1234", "iloveyouiloveyou", "welcome12345", "welcome123456",
        "welcometothejungle", "administrator", "administrator1", "admin1234567", "adminadmin123", "superman1234",
        "batman123456", "football1234", "baseball1234", "basketball123", "monkey123456", "dragon123456",
        "sunshine1234", "princess1234", "starwars1234", "trustno1trustno1", "whatever1234", "qwerty12345678",
        "1234567890qwerty", "abcdefghijkl", "abcdef123456", "abc123abc123", "abcd1234abcd", "aaaaaaaaaaaa",
        "correcthorsebatterystaple", "correct horse battery staple", "harmreduction", "harmreduction1",
        "harmreduction123", "naloxone1234", "volunteer123", "volunteer1234", "training1234", "coordinator1",
        "facilitator1", "summer2024!!", "summer20242024", "winter2024!!", "spring2025!!", "autumn2025!!",
        "january2025!", "december2024", "september2024", "november2024", "passwordqwerty", "iloveyou123!",
        "ilovemydog123", "ilovemycat123", "football12345", "liverpool1234", "manchesterunited", "chelsea12345",
        "michael12345", "jennifer1234", "jessica12345", "elizabeth123", "christopher1", "alexander123",
        "blink1821234", "pokemon12345", "minecraft123", "fortnite1234", "computer1234", "internet1234",
        "samsung12345", "iphone123456", "google123456", "facebook1234", "linkedin1234", "1234qwerasdf",
        "qwerasdfzxcv", "1q2w3e4r5t6y7u", "zaq12wsxcde3", "!qaz2wsx#edc", "password!234", "pa55word1234",
        "secret123456", "secretsecret", "opensesame12", "goodmorning1", "helloworld123", "hello1234567",
        "fuckyou12345", "asdfasdfasdf", "qwerqwerqwer", "zxcvzxcvzxcv", "123qweasdzxc", "qweasdzxc123",
    ]
}
