// Answers: what a parent has entered so far, keyed by field id.
//
// Every string and container here allocates from the memory resource given at construction,
// which in the kiosk is a crypto::SecretArena: plaintext answers live in locked, guarded memory
// and are wiped when the session is reset. To keep it that way:
//   1. Answers cannot be copied (a copy of a pmr container would silently fall back to the
//      default heap resource); it can only be moved.
//   2. Every setter copies the caller's text straight into the arena. Callers should hand in
//      views of memory that is itself guarded (an ImGui buffer in the arena, a SecretBytes).
//   3. The answers do not know the form; validateAnswers() (validation.hpp) decides whether they
//      make sense. An Answer's kind only records what kind of value was stored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::forms {

enum class AnswerKind {
    Choice,  // one option or list item id (single, picker)
    Choices, // several option ids (multiple)
    Text,    // text, phone, date, time
    Integer, // scale
};
std::string_view answerKindName(AnswerKind kind); // "choice", "choices", "text", "integer"

class Answer {
public:
    Answer(AnswerKind kind, std::pmr::memory_resource* resource)
        : m_kind(kind), m_text(resource), m_choices(resource) {}
    Answer(Answer&&) noexcept = default;
    Answer& operator=(Answer&&) = default;
    Answer(const Answer&) = delete;
    Answer& operator=(const Answer&) = delete;

    AnswerKind kind() const { return m_kind; }
    /// The choice id (Choice) or the text (Text); empty for other kinds.
    std::string_view text() const { return m_text; }
    /// The choice ids (Choices), in the order they were set; empty for other kinds.
    const std::pmr::vector<std::pmr::string>& choices() const { return m_choices; }
    /// The scale value (Integer); 0 for other kinds.
    std::int64_t integer() const { return m_integer; }

    /// An empty text or an empty list of choices counts as "not answered" (a field the parent
    /// opened and left blank).
    bool isEmpty() const;

private:
    friend class Answers;
    AnswerKind m_kind;
    std::pmr::string m_text;
    std::pmr::vector<std::pmr::string> m_choices;
    std::int64_t m_integer = 0;
};

class Answers {
public:
    using Map = std::pmr::map<std::pmr::string, Answer, std::less<>>;

    explicit Answers(std::pmr::memory_resource* resource);
    Answers(Answers&&) noexcept = default;
    Answers& operator=(Answers&&) = default;
    Answers(const Answers&) = delete;
    Answers& operator=(const Answers&) = delete;

    /// Replace the answer to `field` (any earlier answer is dropped).
    void setChoice(std::string_view field, std::string_view optionId);
    void setChoices(std::string_view field, std::span<const std::string_view> optionIds);
    void setChoices(std::string_view field, std::initializer_list<std::string_view> optionIds) {
        setChoices(field, std::span<const std::string_view>(optionIds.begin(), optionIds.size()));
    }
    void setText(std::string_view field, std::string_view text);
    void setInteger(std::string_view field, std::int64_t value);

    /// nullptr when the field has no answer.
    const Answer* get(std::string_view field) const;
    bool contains(std::string_view field) const { return get(field) != nullptr; }
    /// True if there was an answer to erase.
    bool erase(std::string_view field);
    void clear() { m_map.clear(); }

    std::size_t size() const { return m_map.size(); }
    bool empty() const { return m_map.empty(); }
    /// Iterates in byte order of field ids.
    Map::const_iterator begin() const { return m_map.begin(); }
    Map::const_iterator end() const { return m_map.end(); }

    std::pmr::memory_resource* resource() const { return m_resource; }

private:
    Answer& replace(std::string_view field, AnswerKind kind);

    std::pmr::memory_resource* m_resource;
    Map m_map;
};

} // namespace minsheng::forms
