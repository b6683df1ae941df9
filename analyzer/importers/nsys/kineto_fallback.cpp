// Temporary link-time fallback for ImportKineto while the Kineto importer (analyzer/importers/
// kineto/) is not in the tree: a weak definition that says the importer is missing. The real,
// strong definition wins as soon as it exists (its archive member sorts before this one).
// Delete this file once analyzer/importers/kineto/ has landed.
#include "moeprof/analyzer/importers.h"

namespace moeprof::analyzer {

__attribute__((weak)) Status ImportKineto(const std::string& path, TraceSink&, const ImportOptions&,
                                          ImportStats&) {
  return Status(ErrorCode::kUnavailable,
                path + ": this moeprof was built without the PyTorch profiler (Kineto) importer");
}

}  // namespace moeprof::analyzer
