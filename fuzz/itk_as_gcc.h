// Debian's ITK 5.2 generated its compiler-detection header for GCC only: any other compiler stops
// at "#error Unsupported compiler". The fuzz build (clang, for libFuzzer) force-includes this file
// first in every source: where ITK's headers are on the include path, it reads ITK's detection
// header once with clang looking like GCC 12 (its include guard then keeps ITK from reading it
// again). ITK uses the result only to choose C++ feature macros, which clang 14 supports as GCC 12
// does.
#pragma once
#if __has_include(<itk_compiler_detection.h>)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itk_compiler_detection.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#pragma clang diagnostic pop
#endif
