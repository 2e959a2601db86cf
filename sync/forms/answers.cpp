#include "sync/forms/answers.hpp"

namespace minsheng::forms {

std::string_view answerKindName(AnswerKind kind) {
    switch (kind) {
    case AnswerKind::Choice:
        return "choice";
    case AnswerKind::Choices:
        return "choices";
    case AnswerKind::Text:
        return "text";
    case AnswerKind::Integer:
        return "integer";
    }
    return "?";
}

bool Answer::isEmpty() const {
    switch (m_kind) {
    case AnswerKind::Choice:
    case AnswerKind::Text:
        return m_text.empty();
    case AnswerKind::Choices:
        return m_choices.empty();
    case AnswerKind::Integer:
        return false;
    }
    return true;
}

Answers::Answers(std::pmr::memory_resource* resource) : m_resource(resource), m_map(resource) {}

Answer& Answers::replace(std::string_view field, AnswerKind kind) {
    auto it = m_map.find(field);
    if (it != m_map.end()) {
        // Reassign in place: the old strings' memory goes back to the arena's pool and is wiped
        // with the rest of it on reset.
        it->second = Answer(kind, m_resource);
        return it->second;
    }
    auto [pos, inserted] =
        m_map.emplace(std::pmr::string(field, m_resource), Answer(kind, m_resource));
    return pos->second;
}

void Answers::setChoice(std::string_view field, std::string_view optionId) {
    replace(field, AnswerKind::Choice).m_text.assign(optionId);
}

void Answers::setChoices(std::string_view field, std::span<const std::string_view> optionIds) {
    Answer& a = replace(field, AnswerKind::Choices);
    a.m_choices.reserve(optionIds.size());
    for (auto id : optionIds)
        a.m_choices.emplace_back(id); // uses-allocator: the element gets the vector's resource
}

void Answers::setText(std::string_view field, std::string_view text) {
    replace(field, AnswerKind::Text).m_text.assign(text);
}

void Answers::setInteger(std::string_view field, std::int64_t value) {
    replace(field, AnswerKind::Integer).m_integer = value;
}

const Answer* Answers::get(std::string_view field) const {
    auto it = m_map.find(field);
    return it == m_map.end() ? nullptr : &it->second;
}

bool Answers::erase(std::string_view field) {
    auto it = m_map.find(field);
    if (it == m_map.end())
        return false;
    m_map.erase(it);
    return true;
}

} // namespace minsheng::forms
