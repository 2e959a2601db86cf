#include "county/staff/exporters.hpp"

#include "county/staff/case_workflow.hpp"
#include "county/staff/survey_stats.hpp"
#include "crypto/atomic_file.hpp"

#include <nlohmann/json.hpp>
#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <unistd.h>

namespace minsheng::staff {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<ExportFormat> parseExportFormat(std::string_view name) {
    if (name == "xlsx")
        return ExportFormat::Xlsx;
    if (name == "csv")
        return ExportFormat::Csv;
    if (name == "json")
        return ExportFormat::Json;
    if (name == "open311")
        return ExportFormat::Open311;
    if (name == "open311-services")
        return ExportFormat::Open311Services;
    return std::nullopt;
}

std::string csvCell(std::string_view text) {
    std::string cell;
    if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                          text[0] == '\t' || text[0] == '\r'))
        cell = "'";
    cell += text;
    if (cell.find_first_of(",\"\r\n") == std::string::npos)
        return cell;
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string open311RequestId(const Submission& s) {
    return s.kioskId + "-" + std::to_string(s.sequence);
}

namespace {

// The forms the catalogue loads (form_catalog.cpp): their tables come first, even when empty.
constexpr const char* kCatalogueFormIds[] = {"complaint", "survey"};
constexpr const char* kMultipleChoiceSeparator = "；";
constexpr const char* kYes = "是";
constexpr const char* kNo = "否";
// Excel's limits: sheet names (in UTF-16 code units) and text cells (in characters).
constexpr std::size_t kMaxSheetNameUnits = 31;
constexpr std::size_t kMaxCellChars = 32767;
constexpr const char* kHistorySheetName = "处理记录 history";

std::string answerText(const Submission& s, const char* field) {
    auto it = s.answers.find(field);
    return it != s.answers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool realName(const Submission& s) {
    return s.isComplaint() && !s.anonymous;
}

const CaseExtras* extrasOf(const CaseExtrasById& cases, const Submission& s) {
    auto it = cases.find(s.id);
    return it == cases.end() ? nullptr : &it->second;
}

std::chrono::sys_days dueDateOf(const Submission& s, const CaseExtras* extras,
                                const CaseRules& rules) {
    if (extras && extras->dueDate)
        return *extras->dueDate;
    return rules.dueDate(s.receivedAt, s.category);
}

/// The closing time of a case that is closed now: its last 已办结 entry (its last change when
/// the history was not given). nullopt for any other status.
std::optional<std::int64_t> closedAt(const Submission& s, const CaseExtras* extras) {
    if (s.status != crypto::CaseStatus::Closed)
        return std::nullopt;
    if (extras)
        for (auto it = extras->history.rbegin(); it != extras->history.rend(); ++it)
            if (it->status == crypto::CaseStatus::Closed)
                return it->setAt;
    return s.updatedAt;
}

/// The destination of a case that is transferred now (its last 已转办 entry), or empty.
std::string transferUnit(const Submission& s, const CaseExtras* extras) {
    if (s.status != crypto::CaseStatus::Transferred || !extras)
        return {};
    for (auto it = extras->history.rbegin(); it != extras->history.rend(); ++it)
        if (it->status == crypto::CaseStatus::Transferred)
            return it->unit;
    return {};
}

std::string actorLabel(const HistoryEntry& e) {
    if (e.actorId)
        return e.actorName;
    return e.signedByStaff ? "未署名 unattributed" : "系统 system";
}

std::string resultLabel(const std::string& result) {
    if (auto r = parseCaseResult(result))
        return std::string(caseResultChinese(*r));
    return result;
}

// ---- UTF-8 ------------------------------------------------------------------------------------

/// Decodes the code point at `i` and advances `i` (answers are valid UTF-8: nlohmann::json
/// checked them when the payload was parsed; a stray byte counts as one code point).
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    std::size_t k = 1;
    for (; k < n && i + k < s.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += k;
    return cp;
}

/// At most `maxUnits` UTF-16 code units of `s`, cut between code points.
std::string truncateUtf16Units(std::string_view s, std::size_t maxUnits) {
    std::size_t units = 0, i = 0;
    while (i < s.size()) {
        std::size_t next = i;
        const std::size_t u = nextCodePoint(s, next) >= 0x10000 ? 2 : 1;
        if (units + u > maxUnits)
            break;
        units += u;
        i = next;
    }
    return std::string(s.substr(0, i));
}

/// Columns Excel needs to show the longest line of `s`: CJK and other wide characters take two.
std::size_t displayWidth(std::string_view s) {
    std::size_t widest = 0, line = 0, i = 0;
    while (i < s.size()) {
        const char32_t cp = nextCodePoint(s, i);
        if (cp == U'\n') {
            line = 0;
            continue;
        }
        line += cp >= 0x1100 ? 2 : 1;
        widest = std::max(widest, line);
    }
    return widest;
}

/// Excel's rules for a sheet name: at most 31 UTF-16 units, none of []:*?/\, no apostrophe at
/// either end, not empty, unique without regard to ASCII case, and never "History" (reserved).
std::string sheetName(std::string_view title, std::set<std::string>& taken) {
    std::string clean;
    for (char c : title)
        clean += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_';
    while (!clean.empty() && clean.front() == '\'')
        clean.erase(0, 1);
    auto trim = [](std::string s) {
        while (!s.empty() && s.back() == '\'')
            s.pop_back();
        return s;
    };
    clean = trim(truncateUtf16Units(clean, kMaxSheetNameUnits));
    if (clean.empty())
        clean = "Sheet";
    auto key = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
            return static_cast<char>(c < 0x80 ? std::tolower(c) : c);
        });
        return s;
    };
    std::string name = clean;
    for (int n = 2; taken.count(key(name)); ++n) {
        const std::string suffix = " (" + std::to_string(n) + ")";
        name = trim(truncateUtf16Units(clean, kMaxSheetNameUnits - suffix.size())) + suffix;
    }
    taken.insert(key(name));
    return name;
}

/// Form ids are [a-z0-9_-] (forms/form.hpp); anything else becomes "_" so a file name is safe.
/// Unique among `taken` ("history" is the history table's), by a "-form" suffix.
std::string fileStem(std::string_view formId, std::set<std::string>& taken) {
    std::string out;
    for (char c : formId)
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
    if (out.empty())
        out = "form";
    while (taken.count(out))
        out += "-form";
    taken.insert(out);
    return out;
}

// ---- tables -----------------------------------------------------------------------------------

ExportCell text(std::string s) {
    return {std::move(s), std::nullopt};
}

ExportCell number(std::int64_t n) {
    return {std::to_string(n), static_cast<double>(n)};
}

/// The answer to one question, in words (a scale as a number); empty for an identity field of
/// an anonymous report (privacy rule 1).
ExportCell answerCell(const FormCatalog& forms, const Submission& s, const forms::Field* field,
                      const std::string& fieldId) {
    if (isIdentityField(fieldId) && !realName(s))
        return {};
    auto it = s.answers.find(fieldId);
    if (it == s.answers.end())
        return {};
    if (it->is_number_integer() && (!field || field->type == forms::FieldType::Scale))
        return number(it->get<std::int64_t>());
    if (it->is_array()) {
        std::string joined;
        for (const auto& choice : *it)
            joined += (joined.empty() ? "" : kMultipleChoiceSeparator) +
                      forms.valueText(s.formId, fieldId, choice);
        return text(std::move(joined));
    }
    return text(forms.valueText(s.formId, fieldId, *it));
}

struct CaseColumn {
    const char* id;
    const char* label;
};
constexpr CaseColumn kLeadingColumns[] = {
    {"case", "编号"}, {"submitted", "提交时间"}, {"form_version", "表单版本"}};
constexpr CaseColumn kCaseColumns[] = {{"status", "状态"},     {"received", "接收时间"},
                                       {"due", "到期"},        {"overdue", "超期"},
                                       {"closed", "办结时间"}, {"closed_on_time", "按期办结"},
                                       {"handler", "承办人"},  {"reply", "答复"}};
constexpr CaseColumn kHistoryColumns[] = {
    {"case", "编号"},  {"at", "时间"},         {"status", "状态"},   {"actor", "操作人"},
    {"reply", "答复"}, {"result", "办理结果"}, {"unit", "转办单位"}, {"reason", "理由"}};

std::vector<ExportCell> caseCells(const Submission& s, const CaseExtras* extras,
                                  const ExportContext& ctx) {
    const auto& rules = *ctx.rules;
    const auto due = dueDateOf(s, extras, rules);
    const auto closed = closedAt(s, extras);
    const bool overdue = !isFinalStatus(s.status) && rules.localDay(ctx.now) > due;
    return {text(std::string(caseStatusChinese(s.status))),
            text(rules.formatLocal(s.receivedAt)),
            text(CaseRules::formatDay(due)),
            text(overdue ? kYes : ""),
            text(closed ? rules.formatLocal(*closed) : ""),
            text(closed ? (rules.localDay(*closed) <= due ? kYes : kNo) : ""),
            text(extras ? extras->handlerName : ""),
            text(s.reply)};
}

/// The names already given to tables: sheet names (lower-cased) and file stems.
struct TakenNames {
    std::set<std::string> sheets = {"history"}; // reserved by Excel
    std::set<std::string> stems = {"history"};  // the history table's
};

ExportTable formTable(const std::string& formId, const std::vector<const Submission*>& rows,
                      const CaseExtrasById& cases, const ExportContext& ctx, TakenNames& taken) {
    const auto& forms = *ctx.forms;
    const forms::Form* form = forms.form(formId);
    ExportTable t;
    t.fileStem = fileStem(formId, taken.stems);
    t.sheetName = sheetName(form ? form->title.zh : formId, taken.sheets);
    for (const auto& c : kLeadingColumns)
        t.columns.push_back({c.id, c.label});

    // Questions: the form's in its order, then answers it no longer has, by id.
    std::vector<std::pair<std::string, const forms::Field*>> questions;
    if (form)
        for (const auto& field : form->fields)
            questions.emplace_back(field.id, &field);
    std::set<std::string> others;
    for (const auto* s : rows)
        for (auto it = s->answers.begin(); it != s->answers.end(); ++it)
            if (!form || !form->find(it.key()))
                others.insert(it.key());
    for (const auto& id : others)
        questions.emplace_back(id, nullptr);
    for (const auto& [id, field] : questions)
        t.columns.push_back({id, field ? field->label.zh : id});

    const bool complaints =
        form ? form->kind == forms::FormKind::Complaint
             : std::any_of(rows.begin(), rows.end(), [](auto* s) { return s->isComplaint(); });
    if (complaints)
        for (const auto& c : kCaseColumns)
            t.columns.push_back({c.id, c.label});

    for (const auto* s : rows) {
        std::vector<ExportCell> row = {text(s->caseNumber()),
                                       text(ctx.rules->formatLocal(s->createdAt)),
                                       number(s->formVersion)};
        for (const auto& [id, field] : questions)
            row.push_back(answerCell(forms, *s, field, id));
        if (complaints) {
            auto more = s->isComplaint() ? caseCells(*s, extrasOf(cases, *s), ctx)
                                         : std::vector<ExportCell>(std::size(kCaseColumns));
            std::move(more.begin(), more.end(), std::back_inserter(row));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

ExportTable historyTable(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                         const ExportContext& ctx, TakenNames& taken) {
    ExportTable t;
    t.fileStem = "history";
    t.sheetName = sheetName(kHistorySheetName, taken.sheets);
    for (const auto& c : kHistoryColumns)
        t.columns.push_back({c.id, c.label});
    for (const auto& s : rows) {
        const auto* extras = s.isComplaint() ? extrasOf(cases, s) : nullptr;
        if (!extras)
            continue;
        for (const auto& e : extras->history)
            t.rows.push_back({text(s.caseNumber()), text(ctx.rules->formatLocal(e.setAt)),
                              text(std::string(caseStatusChinese(e.status))), text(actorLabel(e)),
                              text(e.reply), text(resultLabel(e.result)), text(e.unit),
                              text(e.reason)});
    }
    return t;
}

// ---- survey figures -----------------------------------------------------------------------------

/// The released figures of a survey form: one per month that has ended (survey_stats.hpp).
std::vector<SurveyStats> releasedSurveyFigures(const forms::Form& form,
                                               const std::vector<Submission>& rows,
                                               const ExportContext& ctx) {
    std::vector<Submission> ofForm;
    for (const auto& s : rows)
        if (s.kind == crypto::EnvelopeKind::Survey && s.formId == form.id)
            ofForm.push_back(s);
    std::vector<SurveyStats> out;
    for (const auto month :
         releasedSurveyMonths(ofForm, *ctx.rules, ctx.rules->localDay(ctx.now))) {
        const auto [from, to] = surveyMonthDays(month);
        if (auto st = releasedSurveyStats(ofForm, form, *ctx.rules, from, to, ctx.now,
                                          ctx.minRespondents))
            out.push_back(std::move(*st));
    }
    return out;
}

/// "2026-03": the month a released period is.
std::string monthOf(const SurveyStats& st) {
    const std::chrono::year_month_day first(st.from);
    return formatSurveyMonth(first.year() / first.month());
}

constexpr CaseColumn kSurveyFigureColumns[] = {
    {"month", "月份"},     {"dimension", "维度"},
    {"group", "组"},       {"group_label", "组名"},
    {"question", "题目"},  {"question_label", "题目名"},
    {"answered", "人数"},  {"satisfaction_rate", "满意率"},
    {"average", "平均分"}, {"distribution", "分布"}};

/// A survey form's table: aggregates only, never a parent's row. One row per released month,
/// group (county, school, grade, school × grade) and question, after a row of the group's
/// respondents (question "respondents"). A hidden group's figures are "*".
ExportTable surveyFiguresTable(const forms::Form& form, const std::vector<Submission>& rows,
                               const ExportContext& ctx, TakenNames& taken) {
    ExportTable t;
    t.fileStem = fileStem(form.id, taken.stems);
    t.sheetName = sheetName(form.title.zh + " 统计", taken.sheets);
    for (const auto& c : kSurveyFigureColumns)
        t.columns.push_back({c.id, c.label});
    for (const auto& st : releasedSurveyFigures(form, rows, ctx)) {
        const std::string month = monthOf(st);
        auto addGroup = [&](const char* dimension, const SurveyGroup& g) {
            const std::string label = g.label.zh.empty() ? g.id : g.label.zh;
            auto row = [&](const std::string& qid, const std::string& qlabel) {
                return std::vector<ExportCell>{text(month), text(dimension), text(g.id),
                                               text(label), text(qid),       text(qlabel)};
            };
            auto hiddenRow = [&](std::vector<ExportCell> r) {
                for (int i = 0; i < 4; ++i)
                    r.push_back(text("*"));
                return r;
            };
            auto head = row("respondents", "答卷人数");
            if (g.hidden()) {
                t.rows.push_back(hiddenRow(std::move(head)));
            } else {
                head.insert(head.end(),
                            {number(std::int64_t(g.respondents)), text(""), text(""), text("")});
                t.rows.push_back(std::move(head));
            }
            for (std::size_t i = 0; i < st.questions.size(); ++i) {
                const auto& q = st.questions[i];
                auto r = row(q.id, q.label.zh);
                if (g.hidden()) {
                    t.rows.push_back(hiddenRow(std::move(r)));
                    continue;
                }
                const auto& f = g.questions[i];
                const bool rating = q.kind == SurveyQuestionKind::Rating && f.answered;
                std::string distribution;
                for (std::size_t k = 0; k < f.distribution.size(); ++k)
                    distribution += (k ? kMultipleChoiceSeparator : "") + q.options[k].label.zh +
                                    " " + std::to_string(f.distribution[k]);
                r.push_back(number(std::int64_t(f.answered)));
                r.push_back(rating
                                ? ExportCell{formatPercent(f.satisfiedPercent), f.satisfiedPercent}
                                : text(""));
                r.push_back(rating ? ExportCell{std::to_string(f.average), f.average} : text(""));
                r.push_back(text(distribution));
                t.rows.push_back(std::move(r));
            }
        };
        addGroup("overall", st.overall);
        for (const auto& g : st.bySchool)
            addGroup("school", g);
        for (const auto& g : st.byGrade)
            addGroup("grade", g);
        for (const auto& c : st.bySchoolGrade)
            addGroup("school_grade", c.group);
    }
    return t;
}

// ---- files ------------------------------------------------------------------------------------

ExportError exportErrorOf(const crypto::AtomicFileError& e) {
    using C = crypto::AtomicFileError::Code;
    const auto code = e.code == C::Unwritable ? ExportError::Code::Unwritable
                      : e.code == C::DiskFull ? ExportError::Code::DiskFull
                                              : ExportError::Code::Io;
    return {code, e.message};
}

ExportError systemError(const fs::path& file, const char* doing, int err) {
    const auto code = err == ENOSPC || err == EDQUOT ? ExportError::Code::DiskFull
                      : err == EACCES || err == EPERM || err == EROFS || err == ENOENT
                          ? ExportError::Code::Unwritable
                          : ExportError::Code::Io;
    return {code,
            std::string("cannot ") + doing + " " + file.string() + ": " + std::strerror(err) + "."};
}

/// A file that exists only while this object does. Removal failures are not reported: the
/// file is 0600 and named as scratch, and a crash may leave one anyway.
class ScratchFile {
public:
    explicit ScratchFile(fs::path p) : m_path(std::move(p)) {}
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile() {
        std::error_code ignored;
        fs::remove(m_path, ignored);
    }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

/// Writes the tables as a workbook to `file` (which exists, 0600: libxlsxwriter truncates it
/// and keeps its mode). libxlsxwriter's own temporary files go to `scratchDir` too.
Result<Ok, ExportError> writeWorkbook(const std::vector<ExportTable>& tables, const fs::path& file,
                                      const fs::path& scratchDir) {
    std::string tmpdir = scratchDir.string();
    lxw_workbook_options options{};
    options.tmpdir = tmpdir.data();
    lxw_workbook* wb = workbook_new_opt(file.c_str(), &options);
    if (!wb)
        return fail(ExportError{ExportError::Code::Spreadsheet,
                                "cannot start a workbook at " + file.string() + "."});
    lxw_format* labelRow = workbook_add_format(wb);
    format_set_bold(labelRow);
    format_set_bg_color(labelRow, 0xDDEBF7);
    format_set_bottom(labelRow, LXW_BORDER_THIN);
    lxw_format* idRow = workbook_add_format(wb);
    format_set_italic(idRow);
    format_set_font_color(idRow, 0x808080);
    format_set_bottom(idRow, LXW_BORDER_THIN);

    lxw_error failed = LXW_NO_ERROR;
    auto check = [&](lxw_error e) {
        if (failed == LXW_NO_ERROR)
            failed = e;
    };
    auto writeText = [&](lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const std::string& s,
                         lxw_format* fmt) {
        // Excel holds at most 32,767 characters in a cell; a longer answer is cut, not lost
        // from the workbook as a whole.
        std::string cut = s.size() > kMaxCellChars ? truncateUtf16Units(s, kMaxCellChars) : s;
        check(worksheet_write_string(ws, r, c, cut.c_str(), fmt));
    };
    for (const auto& t : tables) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, t.sheetName.c_str());
        if (!ws) {
            workbook_close(wb);
            return fail(ExportError{ExportError::Code::Spreadsheet, "cannot add the sheet \"" +
                                                                        t.sheetName + "\" to " +
                                                                        file.string() + "."});
        }
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const auto col = static_cast<lxw_col_t>(c);
            writeText(ws, 0, col, t.columns[c].label, labelRow);
            writeText(ws, 1, col, t.columns[c].id, idRow);
            std::size_t width = std::max(displayWidth(t.columns[c].label), t.columns[c].id.size());
            for (std::size_t r = 0; r < t.rows.size() && r < 500; ++r)
                width = std::max(width, displayWidth(t.rows[r][c].text));
            check(worksheet_set_column(
                ws, col, col, static_cast<double>(std::clamp<std::size_t>(width + 2, 8, 60)),
                nullptr));
        }
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            const auto row = static_cast<lxw_row_t>(r + 2);
            for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
                const auto& cell = t.rows[r][c];
                const auto col = static_cast<lxw_col_t>(c);
                if (cell.number)
                    check(worksheet_write_number(ws, row, col, *cell.number, nullptr));
                else if (!cell.text.empty())
                    writeText(ws, row, col, cell.text, nullptr);
            }
        }
        worksheet_freeze_panes(ws, 2, 1);
        if (!t.columns.empty())
            check(worksheet_autofilter(ws, 1, 0, static_cast<lxw_row_t>(t.rows.size() + 1),
                                       static_cast<lxw_col_t>(t.columns.size() - 1)));
    }
    check(workbook_close(wb));
    if (failed != LXW_NO_ERROR)
        return fail(ExportError{ExportError::Code::Spreadsheet, "cannot write the workbook " +
                                                                    file.string() + ": " +
                                                                    lxw_strerror(failed) + "."});
    return Ok{};
}

json historyJson(const std::vector<HistoryEntry>& history, const CaseRules& rules) {
    json list = json::array();
    for (const auto& e : history) {
        json row = {{"status", std::string(crypto::caseStatusName(e.status))},
                    {"status_label", std::string(caseStatusChinese(e.status))},
                    {"at", rules.formatIso(e.setAt)},
                    {"actor", actorLabel(e)},
                    {"reply", e.reply}};
        for (const auto& [key, value] :
             {std::pair{"result", &e.result}, {"unit", &e.unit}, {"reason", &e.reason}})
            if (!value->empty())
                row[key] = *value;
        list.push_back(std::move(row));
    }
    return list;
}

} // namespace

std::string addressText(const Submission& s, const FormCatalog& f) {
    std::string out;
    auto add = [&](const std::string& part) {
        if (!part.empty())
            out += (out.empty() ? "" : " ") + part;
    };
    add(f.itemLabel("districts", s.district.empty() ? answerText(s, "district") : s.district));
    add(f.itemLabel("townships", s.township.empty() ? answerText(s, "township") : s.township));
    add(f.itemLabel("communities", s.community.empty() ? answerText(s, "community") : s.community));
    add(answerText(s, "address_detail"));
    return out;
}

Result<CaseExtrasById, ExportError> readCaseExtras(Ledger& ledger, const CaseRules& rules,
                                                   const std::vector<Submission>& rows,
                                                   std::int64_t now) {
    CaseWorkflow workflow(ledger, rules, [now] { return now; });
    CaseExtrasById cases;
    for (const auto& s : rows) {
        if (!s.isComplaint())
            continue;
        auto history = ledger.history(s.id);
        if (!history)
            return fail(ExportError{ExportError::Code::Ledger, history.error().message});
        auto events = workflow.events(s.id);
        if (!events)
            return fail(ExportError{ExportError::Code::Ledger, events.error().message});
        CaseExtras x;
        x.history = std::move(*history);
        for (const auto& ev : *events)
            if (ev.kind == CaseEvent::Kind::Assign)
                x.handlerName = ev.handlerName;
        x.dueDate = effectiveDueDate(s.receivedAt, s.category, *events, rules, now);
        cases.emplace(s.id, std::move(x));
    }
    return cases;
}

std::vector<ExportTable> buildExportTables(const std::vector<Submission>& rows,
                                           const CaseExtrasById& cases, const ExportContext& ctx) {
    std::vector<std::string> formIds;
    for (const char* id : kCatalogueFormIds)
        if (ctx.forms->form(id))
            formIds.push_back(id);
    std::map<std::string, std::vector<const Submission*>> byForm;
    std::set<std::string> others;
    for (const auto& s : rows) {
        // A survey never leaves as a row (its minute, its school, grade and comment together
        // could single a parent out): its form's table holds the released aggregates.
        if (s.kind == crypto::EnvelopeKind::Survey)
            continue;
        byForm[s.formId].push_back(&s);
        if (std::find(formIds.begin(), formIds.end(), s.formId) == formIds.end())
            others.insert(s.formId);
    }
    formIds.insert(formIds.end(), others.begin(), others.end());

    TakenNames taken;
    std::vector<ExportTable> tables;
    for (const auto& id : formIds) {
        const auto* form = ctx.forms->form(id);
        if (form && form->kind == forms::FormKind::Survey)
            tables.push_back(surveyFiguresTable(*form, rows, ctx, taken));
        else
            tables.push_back(formTable(id, byForm[id], cases, ctx, taken));
    }
    tables.push_back(historyTable(rows, cases, ctx, taken));
    return tables;
}

std::vector<ExportFile> exportCsvPerForm(const std::vector<Submission>& rows,
                                         const CaseExtrasById& cases, const ExportContext& ctx) {
    std::vector<ExportFile> files;
    for (const auto& t : buildExportTables(rows, cases, ctx)) {
        std::string out = "\xEF\xBB\xBF"; // UTF-8 byte order mark
        auto record = [&](auto cellText, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i)
                out += (i ? "," : "") + cellText(i);
            out += "\r\n";
        };
        record([&](std::size_t i) { return csvCell(t.columns[i].label); }, t.columns.size());
        record([&](std::size_t i) { return csvCell(t.columns[i].id); }, t.columns.size());
        for (const auto& row : t.rows)
            record(
                [&](std::size_t i) { return row[i].number ? row[i].text : csvCell(row[i].text); },
                row.size());
        files.push_back({t.fileStem + ".csv", std::move(out)});
    }
    return files;
}

Result<Ok, ExportError> writeExportFiles(const std::vector<ExportFile>& files,
                                         const fs::path& folder) {
    std::error_code ec;
    if (fs::create_directory(folder, ec)) {
        fs::permissions(folder, fs::perms::owner_all, ec);
        if (ec)
            return fail(systemError(folder, "restrict", ec.value()));
    } else if (ec) {
        return fail(systemError(folder, "create the folder", ec.value()));
    } else if (!fs::is_directory(folder)) {
        return fail(ExportError{ExportError::Code::Unwritable,
                                folder.string() +
                                    " is not a folder: the CSV export writes one file "
                                    "per form into a folder."});
    }
    for (const auto& f : files)
        if (auto w = crypto::writeFileAtomically(folder / f.fileName, f.bytes, 0600,
                                                 crypto::Existing::Replace);
            !w)
            return fail(exportErrorOf(w.error()));
    return Ok{};
}

Result<std::string, ExportError> exportXlsxBytes(const std::vector<Submission>& rows,
                                                 const CaseExtrasById& cases,
                                                 const ExportContext& ctx,
                                                 const fs::path& scratchDir) {
    const auto tables = buildExportTables(rows, cases, ctx);
    // mkstemps creates the file 0600 with O_EXCL, before any plaintext is in it.
    std::string name = (scratchDir / ".minsheng-export-XXXXXX.xlsx").string();
    const int fd = ::mkstemps(name.data(), 5);
    if (fd < 0)
        return fail(systemError(scratchDir, "create a scratch file in", errno));
    ::close(fd);
    ScratchFile scratch{fs::path(name)};
    if (auto w = writeWorkbook(tables, scratch.path(), scratchDir); !w)
        return fail(w.error());
    std::ifstream in(scratch.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        return fail(systemError(scratch.path(), "read back", EIO));
    return bytes;
}

Result<Ok, ExportError> exportXlsx(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                                   const ExportContext& ctx, const fs::path& path) {
    const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    auto bytes = exportXlsxBytes(rows, cases, ctx, folder);
    if (!bytes)
        return fail(bytes.error());
    if (auto w = crypto::writeFileAtomically(path, *bytes, 0600, crypto::Existing::Replace); !w)
        return fail(exportErrorOf(w.error()));
    return Ok{};
}

std::string exportJson(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                       const ExportContext& ctx) {
    const auto& f = *ctx.forms;
    const auto& rules = *ctx.rules;
    json list = json::array();
    for (const auto& s : rows) {
        if (s.kind == crypto::EnvelopeKind::Survey)
            continue; // aggregates only, below
        const bool c = s.isComplaint();
        json j = {{"case", s.caseNumber()},
                  {"kind", c ? "complaint" : "survey"},
                  {"kiosk", s.kioskId},
                  {"sequence", s.sequence},
                  {"form", s.formId},
                  {"form_version", s.formVersion},
                  {"locale", s.locale},
                  {"created", rules.formatIso(s.createdAt)},
                  {"received", rules.formatIso(s.receivedAt)},
                  {"source", std::string(envelopeSourceName(s.source))},
                  {"acknowledged", s.acknowledged}};
        json answers = s.answers;
        if (!realName(s))
            for (auto it = s.answers.begin(); it != s.answers.end(); ++it)
                if (isIdentityField(it.key()))
                    answers.erase(it.key());
        j["answers"] = answers;
        json text = json::array();
        for (const auto& a : f.render(s, true))
            text.push_back({{"field", a.fieldId}, {"label", a.label}, {"value", a.value}});
        j["answers_text"] = text;
        if (c) {
            const auto* extras = extrasOf(cases, s);
            const auto due = dueDateOf(s, extras, rules);
            const auto closed = closedAt(s, extras);
            j["status"] = std::string(crypto::caseStatusName(s.status));
            j["status_label"] = std::string(caseStatusChinese(s.status));
            j["updated"] = rules.formatIso(s.updatedAt);
            j["reply"] = s.reply;
            j["due"] = CaseRules::formatDay(due);
            j["overdue"] = !isFinalStatus(s.status) && rules.localDay(ctx.now) > due;
            j["closed"] = closed ? json(rules.formatIso(*closed)) : json(nullptr);
            j["closed_on_time"] = closed ? json(rules.localDay(*closed) <= due) : json(nullptr);
            j["handler"] =
                extras && !extras->handlerName.empty() ? json(extras->handlerName) : json(nullptr);
            j["history"] =
                historyJson(extras ? extras->history : std::vector<HistoryEntry>{}, rules);
            j["category"] = s.category;
            j["school"] = s.school;
            j["township"] = s.township;
            j["anonymous"] = s.anonymous;
            if (realName(s))
                j["contact"] = {{"name", s.contactName.value_or("")},
                                {"phone", s.contactPhone.value_or("")}};
        }
        list.push_back(std::move(j));
    }
    json figures = json::array();
    for (const char* id : kCatalogueFormIds)
        if (const auto* form = f.form(id); form && form->kind == forms::FormKind::Survey)
            for (const auto& st : releasedSurveyFigures(*form, rows, ctx)) {
                auto j = surveyStatsJson(st);
                j["month"] = monthOf(st);
                figures.push_back(std::move(j));
            }
    json out = {{"v", 1},
                {"exported_at", rules.formatIso(ctx.now)},
                {"agency", ctx.agency},
                {"submissions", std::move(list)},
                {"survey_figures", std::move(figures)}};
    return out.dump(2) + "\n";
}

std::string exportOpen311(const std::vector<Submission>& rows, const CaseExtrasById& cases,
                          const ExportContext& ctx) {
    const auto& f = *ctx.forms;
    const auto& rules = *ctx.rules;
    json list = json::array();
    for (const auto& s : rows) {
        if (!s.isComplaint())
            continue;
        const auto* extras = extrasOf(cases, s);
        // GeoReport v2 knows two states. Closed means the county's handling has ended with an
        // answer to the parent: 已办结, or 不予受理 with its reason. A transferred case is still
        // being handled (by another unit), so it is open; the finer state is in status_notes.
        const bool closed =
            s.status == crypto::CaseStatus::Closed || s.status == crypto::CaseStatus::NotAccepted;
        std::string notes = caseStatusLabel(s.status);
        if (const std::string unit = transferUnit(s, extras); !unit.empty())
            notes += "：" + unit;
        if (!s.reply.empty())
            notes += "。" + s.reply;
        std::string description = answerText(s, "description");
        if (const std::string who = answerText(s, "institution_name"); !who.empty())
            description = who + "：" + description;
        json r = {{"service_request_id", open311RequestId(s)},
                  {"status", closed ? "closed" : "open"},
                  {"status_notes", notes},
                  {"service_name", f.categoryLabel(s.category)},
                  {"service_code", s.category},
                  {"description", description},
                  {"agency_responsible", ctx.agency},
                  {"service_notice", ""},
                  {"requested_datetime", rules.formatIso(s.createdAt)},
                  {"updated_datetime", rules.formatIso(s.updatedAt)},
                  {"expected_datetime", CaseRules::formatDay(dueDateOf(s, extras, rules)) +
                                            "T23:59:59" + rules.formatIso(0).substr(19)},
                  {"address", addressText(s, f)},
                  {"address_id", s.community.empty() ? s.township : s.community},
                  {"zipcode", nullptr},
                  {"lat", nullptr},
                  {"long", nullptr},
                  {"media_url", nullptr}};
        list.push_back(std::move(r));
    }
    return list.dump(2) + "\n";
}

std::string exportOpen311Services(const FormCatalog& forms) {
    json list = json::array();
    const forms::Form* form = forms.form("complaint");
    const forms::Field* category = form ? form->find("category") : nullptr;
    if (category)
        for (const auto& o : category->options)
            list.push_back({{"service_code", o.id},
                            {"service_name", o.label.zh},
                            {"description", o.description ? o.description->zh : o.label.zh},
                            {"metadata", false},
                            {"type", "realtime"},
                            {"keywords", ""},
                            {"group", form->title.zh}});
    return list.dump(2) + "\n";
}

} // namespace minsheng::staff
