// Defines Version() from the MOEPROF_VERSION_STRING the build sets on this one file, so a version
// bump recompiles one translation unit only.
#include "moeprof/analyzer/version.h"

#ifndef MOEPROF_VERSION_STRING
#error "MOEPROF_VERSION_STRING must be set by analyzer/CMakeLists.txt"
#endif

namespace moeprof::analyzer {

const char* Version() { return MOEPROF_VERSION_STRING; }

}  // namespace moeprof::analyzer
