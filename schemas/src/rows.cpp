// Out-of-line members of the row structs.
#include "moeprof/schemas/rows.h"

namespace moeprof::schemas {

bool LaunchConfig::operator==(const LaunchConfig& o) const {
  return grid_x == o.grid_x && grid_y == o.grid_y && grid_z == o.grid_z && block_x == o.block_x &&
         block_y == o.block_y && block_z == o.block_z && cluster_x == o.cluster_x &&
         cluster_y == o.cluster_y && cluster_z == o.cluster_z && registers == o.registers &&
         static_smem == o.static_smem && dynamic_smem == o.dynamic_smem &&
         local_mem == o.local_mem;
}

}  // namespace moeprof::schemas
