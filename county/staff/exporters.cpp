#include "county/staff/exporters.hpp"

#include "sync/wire/minute_time.hpp"

#include <nlohmann/json.hpp>

namespace minsheng::staff {

using nlohmann::json;

std::optional<ExportFormat> parseExportFormat(std::string_view name) {
    if (name == "csv")
        return ExportFormat::Csv;
    if (name == "json")
        return ExportFormat::Json;
    if (name == "open311")
        return ExportFormat::Open311;
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

namespace {

std::string answerText(const Submission& s, const char* field) {
    auto it = s.answers.find(field);
    return it != s.answers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool realName(const Submission& s) {
    return s.isComplaint() && !s.anonymous;
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

std::string exportCsv(const std::vector<Submission>& rows, const ExportContext& ctx) {
    const auto& f = *ctx.forms;
    const auto& rules = *ctx.rules;
    static const char* kHeader[] = {
        "编号 case",           "类型 kind",           "表单 form",          "提交时间 submitted",
        "接收时间 received",   "状态 status",         "到期 due",           "超期 overdue",
        "类别 category",       "学校 school",         "片区 district",      "乡镇街道 township",
        "社区 community",      "具体地点 address",    "机构 institution",   "情况 description",
        "匿名 anonymous",      "联系人 contact name", "电话 contact phone", "回复 reply",
        "全部回答 all answers"};
    std::string out = "\xEF\xBB\xBF"; // UTF-8 byte order mark
    auto record = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i)
            out += (i ? "," : "") + csvCell(cells[i]);
        out += "\r\n";
    };
    record(std::vector<std::string>(std::begin(kHeader), std::end(kHeader)));
    for (const auto& s : rows) {
        std::string all;
        for (const auto& a : f.render(s, true))
            all += (all.empty() ? "" : "\n") + a.label + "：" + a.value;
        const bool c = s.isComplaint();
        const bool named = realName(s);
        record({s.caseNumber(),
                c ? "投诉 complaint" : "问卷 survey",
                s.formId + " v" + std::to_string(s.formVersion),
                rules.formatLocal(s.createdAt),
                rules.formatLocal(s.receivedAt),
                c ? caseStatusLabel(s.status) : "",
                c ? CaseRules::formatDay(rules.dueDate(s.receivedAt, s.category)) : "",
                c && rules.isOverdue(s.receivedAt, s.category, s.status, ctx.now) ? "是 yes" : "",
                c ? f.categoryLabel(s.category) : "",
                f.itemLabel("schools", c ? s.school : answerText(s, "school")),
                f.itemLabel("districts", c ? s.district : ""),
                f.itemLabel("townships", c ? s.township : ""),
                f.itemLabel("communities", c ? s.community : ""),
                c ? answerText(s, "address_detail") : "",
                c ? answerText(s, "institution_name") : "",
                c ? answerText(s, "description") : answerText(s, "comment"),
                c ? (s.anonymous ? "是 yes" : "否 no") : "",
                named ? s.contactName.value_or("") : "",
                named ? s.contactPhone.value_or("") : "",
                c ? s.reply : "",
                all});
    }
    return out;
}

std::string exportJson(const std::vector<Submission>& rows, const ExportContext& ctx) {
    const auto& f = *ctx.forms;
    const auto& rules = *ctx.rules;
    json list = json::array();
    for (const auto& s : rows) {
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
            j["status"] = std::string(crypto::caseStatusName(s.status));
            j["status_label"] = std::string(caseStatusChinese(s.status));
            j["updated"] = rules.formatIso(s.updatedAt);
            j["reply"] = s.reply;
            j["due"] = CaseRules::formatDay(rules.dueDate(s.receivedAt, s.category));
            j["overdue"] = rules.isOverdue(s.receivedAt, s.category, s.status, ctx.now);
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
    json out = {{"v", 1},
                {"exported_at", rules.formatIso(ctx.now)},
                {"agency", ctx.agency},
                {"submissions", std::move(list)}};
    return out.dump(2) + "\n";
}

std::string exportOpen311(const std::vector<Submission>& rows, const ExportContext& ctx) {
    const auto& f = *ctx.forms;
    const auto& rules = *ctx.rules;
    json list = json::array();
    for (const auto& s : rows) {
        if (!s.isComplaint())
            continue;
        // GeoReport v2 knows two states; the finer one travels in status_notes.
        const bool closed = isFinalStatus(s.status);
        std::string description = answerText(s, "description");
        if (const std::string who = answerText(s, "institution_name"); !who.empty())
            description = who + "：" + description;
        json r = {
            {"service_request_id", s.caseNumber()},
            {"status", closed ? "closed" : "open"},
            {"status_notes",
             caseStatusLabel(s.status) + (s.reply.empty() ? std::string() : "。" + s.reply)},
            {"service_name", f.categoryLabel(s.category)},
            {"service_code", s.category},
            {"description", description},
            {"agency_responsible", ctx.agency},
            {"service_notice", ""},
            {"requested_datetime", rules.formatIso(s.receivedAt)},
            {"updated_datetime", rules.formatIso(s.updatedAt)},
            {"expected_datetime", CaseRules::formatDay(rules.dueDate(s.receivedAt, s.category)) +
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

} // namespace minsheng::staff
