// `minsheng-county config publish`: the county's kiosk configuration (forms, lists, policy pages,
// contact) checked, signed with the county signing key, recorded in DIR/published and sent to
// the intake server, which hands it to kiosks with their next heartbeat (docs/staff.md,
// "Changing what kiosks show"; the bundle: docs/protocol.md section 8).
#pragma once

#include "county/office/county_cli.hpp"

namespace minsheng::staff {

/// Adds `config publish` and `config check` to minsheng-county.
void addConfigCommands(county::CountyCommands& commands);

} // namespace minsheng::staff
