// Exports of the case ledger for other tools: a spreadsheet (.xlsx) and per-form CSV files for
// Excel and WPS, JSON, and Open311 GeoReport v2 (service requests and the services list).
//
// The exporters are a library without any I/O of the ledger: callers (the `export` command, the
// office console) read the submissions and each complaint's history, handler and due date, and
// pass them in. Every format has an API returning bytes; the file formats also have one writing
// a path (mode 0600, atomically: crypto/atomic_file.hpp).
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
// Tables (the .xlsx and the CSV files have the same shape): one table per form — every form
// of the catalogue, even with no submissions, then any other form id found in the rows — and a
// history table. A form's table has two header rows: row 1 the Chinese label staff read, row 2
// the stable id (the question id, or the case column's English id) that tools match on. Its
// columns: 编号 case and 提交时间 submitted (the kiosk's minute) and 表单版本 form_version, then
// one column per question in the form's order (answers the current form no longer has follow, by
// id), then for complaint forms the case columns: 状态 status, 接收时间 received, 到期 due, 超期
// overdue, 办结时间 closed, 按期办结 closed_on_time, 承办人 handler, 答复 reply. The history table
// has one row per status change: case, at, status, actor, reply, result, unit, reason.
//
// Cells: choice answers are the form's Chinese labels (a multiple choice joined with "；"); a
// 1–5 scale answer is a number (so Excel can sum and average it); everything else — phone
// numbers and other digit strings included — is text, so leading zeros and 11-digit numbers
// survive. Times are text in the office's time zone: "YYYY-MM-DD HH:MM", days "YYYY-MM-DD".
// 办结时间 is the last 已办结 entry of a case whose status is 已办结 (a reopened case has none);
// 按期办结 is 是 when that day is on or before the due date, 否 after it.
//
// CSV: UTF-8 with a byte order mark (so Excel and WPS detect UTF-8 and show Chinese text), CRLF
// between records, RFC 4180 quoting (a cell with a comma, quote, CR or LF is quoted and its
// quotes doubled; line breaks inside a cell stay LF), and a guard against formula injection: a
// text cell starting with = + - @ TAB or CR gets a leading apostrophe, so a parent who typed
// "=HYPERLINK(...)" cannot run anything on a staff machine. A CSV file has no cell types: Excel
// opening one still turns "013800138000" into a number. The .xlsx is the file for Excel; the CSV
// files are for other tools. The .xlsx needs no guard: its text cells are never formulas.
//
// Open311: service_request_id is "<kiosk>-<sequence>", the case number with "-" for "/" (a "/"
// breaks the GeoReport URL /requests/{id}.json). Kiosk ids are a-z, 0-9 and "-", the sequence
// is digits, so the part after the last "-" is the sequence: the mapping is one to one.
// requested_datetime is the parent's submission (the kiosk's minute).
// status is "closed" only for 已办结 and 不予受理; 已接收, 已受理, 办理中 and 已转办 are "open"
// (a transferred case is still being handled, by another unit), and status_notes names the
// Chinese status, the unit for 已转办, and the public reply.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/ledger.hpp"
#include "crypto/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::staff {

enum class ExportFormat { Xlsx, Csv, Json, Open311, Open311Services };
/// xlsx | csv | json | open311 | open311-services
std::optional<ExportFormat> parseExportFormat(std::string_view name);

struct ExportContext {
    const FormCatalog* forms = nullptr;
    const CaseRules* rules = nullptr;
    std::string agency; // county office name (Open311 agency_responsible)
    std::int64_t now = 0;
    /// Survey groups below this many respondents are hidden (survey_stats.hpp); the configured
    /// county.toml [report] min_respondents.
    int minRespondents = 5;
};

/// What the exports know of a complaint beyond its ledger row (case_workflow.hpp).
struct CaseExtras {
    std::vector<HistoryEntry> history;            // oldest first
    std::string handlerName;                      // the newest assignment; empty: none
    std::optional<std::chrono::sys_days> dueDate; // in force (extensions); nullopt: the rule's
};
/// By Submission::id. A complaint not in the map is exported with no history and no handler,
/// and with the rule's due date.
using CaseExtrasById = std::map<std::int64_t, CaseExtras>;

struct ExportError {
    enum class Code {
        Unwritable,  // permissions, a missing or read-only folder
        DiskFull,    // ENOSPC and the like
        Io,          // any other system failure
        Spreadsheet, // libxlsxwriter refused the workbook
        Ledger,      // reading the cases' history from the ledger failed
    };
    Code code;
    std::string message; // names the file and the reason
};

/// Reads every complaint's extras from an open ledger (history, the newest assignment, the due
/// date in force at `now`). Appends no audit row: the caller audits the export as a whole.
[[nodiscard]] Result<CaseExtrasById, ExportError>
readCaseExtras(Ledger& ledger, const CaseRules& rules, const std::vector<Submission>& rows,
               std::int64_t now);

/// One cell: text, or a number when `number` is set (then `text` is its CSV form).
struct ExportCell {
    std::string text;
    std::optional<double> number;
};
struct ExportColumn {
    std::string id;    // header row 2: question id or case column id
    std::string label; // header row 1: Chinese
};
/// One sheet of the .xlsx, one file of the CSV export.
struct ExportTable {
    std::string fileStem;  // the form id (safe as a file name), or "history"
    std::string sheetName; // unique, at most 31 characters, none of []:*?/\ (Excel's rules)
    std::vector<ExportColumn> columns;
    std::vector<std::vector<ExportCell>> rows; // each as long as `columns`
};

/// Every form's table, then the history table (the shape above).
std::vector<ExportTable> buildExportTables(const std::vector<Submission>& rows,
                                           const CaseExtrasById& cases, const ExportContext& ctx);

/// One CSV cell: formula guard, then RFC 4180 quoting when needed.
std::string csvCell(std::string_view text);

/// One file of a multi-file export.
struct ExportFile {
    std::string fileName; // "<form id>.csv", "history.csv"
    std::string bytes;
};
/// One CSV file per form and history.csv.
std::vector<ExportFile> exportCsvPerForm(const std::vector<Submission>& rows,
                                         const CaseExtrasById& cases, const ExportContext& ctx);
/// Writes each file into `folder` (created 0700 when missing), each 0600 and atomically.
[[nodiscard]] Result<Ok, ExportError> writeExportFiles(const std::vector<ExportFile>& files,
                                                       const std::filesystem::path& folder);

/// The .xlsx workbook's bytes. libxlsxwriter writes only to files: the workbook is built in a
/// private (0600) temporary file in `scratchDir`, read back and removed.
[[nodiscard]] Result<std::string, ExportError>
exportXlsxBytes(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                const ExportContext& ctx, const std::filesystem::path& scratchDir);
/// The .xlsx at `path`, mode 0600, replacing any older file atomically (its scratch file is in
/// `path`'s folder, so the plaintext never lands on another file system).
[[nodiscard]] Result<Ok, ExportError> exportXlsx(const std::vector<Submission>& rows,
                                                 const CaseExtrasById& cases,
                                                 const ExportContext& ctx,
                                                 const std::filesystem::path& path);

/// Every submission with its answers; complaints with their case state, history and handler.
std::string exportJson(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                       const ExportContext& ctx);
/// GeoReport v2 service requests: complaints only (surveys are not service requests).
std::string exportOpen311(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                          const ExportContext& ctx);
/// GeoReport v2 services list: one service per category of the complaint form.
std::string exportOpen311Services(const FormCatalog& forms);

/// "<kiosk>-<sequence>": the case number as an Open311 service_request_id.
std::string open311RequestId(const Submission& s);
/// The human "where" of a complaint: district, township, community and the exact place.
std::string addressText(const Submission& s, const FormCatalog& forms);

} // namespace minsheng::staff
