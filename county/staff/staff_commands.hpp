// The staff tool's subcommands of minsheng-county (docs/staff.md):
//
//   pull     fetch new envelopes from the intake server (and/or --import exported files),
//            verify and open them, record them in the case ledger; push queued statuses
//   import   the same for exported files only (minsheng-kiosk outbox --export)
//   cases    list cases (filters: --status --category --school --overdue; --json)
//   case     show RECEIPT | set RECEIPT --status S [--reply TEXT] [--result R] [--unit U]
//            [--reason TEXT] | note | assign | extend   (case_workflow.hpp)
//   stats    a period's figures from event times (period_stats.hpp)
//   audit    the audit log (audit_log.hpp)
//   user     add | list | disable | passwd: staff accounts (staff_accounts.hpp)
//   alarms   forks, chain breaks and rejected envelopes the ledger recorded
//   export   --format csv|json|open311 [--out FILE]
//   report   the county's tallies, as text and --html FILE
//   enroll   enrol a kiosk whose key was made elsewhere; revoke: revoke a kiosk
//   kiosks   the kiosk registry, with the server's kiosk health when it is reachable
#pragma once

#include "county/office/county_cli.hpp"

namespace minsheng::staff {

/// Adds `kiosks` to minsheng-county (a command of its own, so the program can list it with the
/// county folder's commands).
void addKiosksCommand(county::CountyCommands& commands);
/// Adds the other staff subcommands (pull, import, cases, case, alarms, export, report, stats,
/// audit, user, enroll, revoke) to minsheng-county.
void addStaffCommands(county::CountyCommands& commands);

} // namespace minsheng::staff
