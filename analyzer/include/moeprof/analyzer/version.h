// The moeprof version string (from the top-level project() call), for --version and outputs that
// record which moeprof produced them.
#pragma once

namespace moeprof::analyzer {

// e.g. "0.1.0"
const char* Version();

}  // namespace moeprof::analyzer
