// Exports of the case ledger for other tools: CSV for Excel and WPS, JSON, and an Open311
// GeoReport v2-shaped list of service requests.
//
// Privacy rules, the same for every format:
//   1. Identity fields (contact name and phone) are filled only for complaints whose reporter
//      chose to leave them (anonymous = "no"); for anonymous reports they are empty — not
//      masked, empty — and anonymous answers hold no contact_* field at all (ledger invariant 6).
//   2. The Open311 export never carries contact details at all: it is meant for other systems
//      and publication (FixMyStreet's lesson: "anonymous" must not reach a third party).
//   3. Receipt codes are never known to the county and never exported; receipt tags are not
//      exported either (they would let the holder of an export look statuses up).
//
// CSV: UTF-8 with a byte order mark (so Excel and WPS detect UTF-8 and show Chinese text), CRLF
// between records, RFC 4180 quoting (a cell with a comma, quote, CR or LF is quoted and its
// quotes doubled; line breaks inside a cell stay LF), and a guard against formula injection: a
// cell starting with = + - @ TAB or CR gets a leading apostrophe, so a parent who typed
// "=HYPERLINK(...)" cannot run anything on a staff machine.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/ledger.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::staff {

enum class ExportFormat { Csv, Json, Open311 };
std::optional<ExportFormat> parseExportFormat(std::string_view name); // csv | json | open311

struct ExportContext {
    const FormCatalog* forms = nullptr;
    const CaseRules* rules = nullptr;
    std::string agency; // county office name (Open311 agency_responsible)
    std::int64_t now = 0;
};

/// One CSV cell: formula guard, then RFC 4180 quoting when needed.
std::string csvCell(std::string_view text);

std::string exportCsv(const std::vector<Submission>& rows, const ExportContext& ctx);
std::string exportJson(const std::vector<Submission>& rows, const ExportContext& ctx);
/// Complaints only (surveys are not service requests).
std::string exportOpen311(const std::vector<Submission>& rows, const ExportContext& ctx);

/// The human "where" of a complaint: district, township, community and the exact place.
std::string addressText(const Submission& s, const FormCatalog& forms);

} // namespace minsheng::staff
