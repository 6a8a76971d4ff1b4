#ifndef GROUNDWORK_CQRENCODE_SHIM_H
#define GROUNDWORK_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
