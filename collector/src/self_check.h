// Start-up checks that refuse to collect rather than mis-parse: the libcupti loaded at run time
// must be the API version we compiled against, and its iterator must step over each record kind
// by exactly sizeof(the struct we cast to) — a different libcupti (a second copy in the process,
// a 13.1 with Kernel11) would otherwise turn every field into garbage.
#pragma once

#include <cstdint>
#include <string>

#include "cupti_api.h"

namespace moeprof::collector {

// "" when fine, else the reason.
std::string CheckCuptiVersion(CuptiApi& api);
std::string CheckRecordStrides();

}  // namespace moeprof::collector
