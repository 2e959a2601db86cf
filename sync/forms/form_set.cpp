#include "sync/forms/form_set.hpp"

#include <algorithm>
#include <array>

namespace minsheng::forms {

Result<FormSet, ConfigError> loadFormSet(const std::filesystem::path& listsFile,
                                         const std::filesystem::path& complaintFile,
                                         const std::filesystem::path& surveyFile) {
    auto lists = loadLists(listsFile);
    if (!lists)
        return fail(std::move(lists.error()));
    auto complaint = loadForm(complaintFile, lists.value());
    if (!complaint)
        return fail(std::move(complaint.error()));
    auto survey = loadForm(surveyFile, lists.value());
    if (!survey)
        return fail(std::move(survey.error()));
    if (complaint->kind != FormKind::Complaint) {
        return fail(ConfigError{complaintFile.string(), 1, 1,
                                "[forms] complaint names a form whose kind is not \"complaint\""});
    }
    if (survey->kind != FormKind::Survey) {
        return fail(ConfigError{surveyFile.string(), 1, 1,
                                "[forms] survey names a form whose kind is not \"survey\""});
    }
    return FormSet{std::move(lists.value()), std::move(complaint.value()),
                   std::move(survey.value())};
}

std::optional<Placeholder> findPlaceholder(std::string_view text) {
    static constexpr std::array<Placeholder, 4> kShippedExamples = {{
        {"0000-12345678", "the example hotline"},
        {"示范县", "the example county 示范县"},
        {"示范路", "the example address 示范路"},
        {"云溪县", "the fictional example county 云溪县 of the shipped school list"},
    }};
    for (const Placeholder& p : kShippedExamples)
        if (text.find(p.text) != std::string_view::npos)
            return p;
    return std::nullopt;
}

std::optional<PlaceholderInFile> findPlaceholderInFile(std::string_view text) {
    auto p = findPlaceholder(text);
    if (!p)
        return std::nullopt;
    const auto at = text.find(p->text);
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
    return PlaceholderInFile{*p, line};
}

} // namespace minsheng::forms
