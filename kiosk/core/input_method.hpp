// Text entry without a physical keyboard or a system IME: the on-screen keyboard sends keys to
// an InputMethod, which turns them into text for a TextTarget (the field being edited).
//
// The pass-through method below types what the key says (letters, digits, punctuation). The
// pinyin engine (librime, pinyin_input_method.hpp) implements the same interface: it keeps the keys
// typed so far as a preedit string, offers candidates, and inserts the chosen candidate. Whatever
// an implementation keeps between keys is something a parent typed: it must keep it in memory it
// wipes in reset(), and endSession() (reset() unless overridden) is called on every session wipe.
// The kiosk window runs the pinyin engine in a helper process per session (ime_client.hpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace minsheng::kiosk {

/// One key of the on-screen keyboard.
struct ImeKey {
    enum class Kind { Text, Backspace, Space, Enter };
    Kind kind = Kind::Text;
    std::string_view text; // UTF-8 of the key's character (Kind::Text)
};

/// Where text goes: a field of the Session. Implementations enforce the field's limits.
class TextTarget {
public:
    virtual ~TextTarget() = default;
    virtual void insert(std::string_view utf8) = 0;
    /// Removes the last code point, if any.
    virtual void backspace() = 0;
    /// True when the field accepts a line break.
    virtual bool multiline() const = 0;
};

class InputMethod {
public:
    virtual ~InputMethod() = default;
    virtual std::string_view name() const = 0;
    /// Handles one key, inserting into `target` whatever it completes.
    virtual void feed(const ImeKey& key, TextTarget& target) = 0;
    /// Text being composed and not yet in the field (shown at the caret); empty when none.
    virtual std::string_view preedit() const = 0;
    virtual std::size_t candidateCount() const = 0;
    virtual std::string_view candidate(std::size_t index) const = 0;
    /// Inserts candidate `index` into `target` and ends the composition.
    virtual void choose(std::size_t index, TextTarget& target) = 0;
    /// Ends the composition by inserting the keys as typed (the letters, not a candidate);
    /// nothing when there is none. Used when the keyboard switches from 中 to 英.
    virtual void commitComposition(TextTarget& target) { (void)target; }
    /// Drops any composition and wipes what was kept of it.
    virtual void reset() = 0;
    /// The session is wiped: reset(), and let go of everything that served it (an engine that
    /// runs in a process of its own ends that process).
    virtual void endSession() { reset(); }
    /// True when the engine was lost and restarted during the composition: what was being
    /// composed is gone (the field keeps what was committed). Cleared by the next key.
    virtual bool interrupted() const { return false; }
};

/// Letters, digits and punctuation go straight into the field.
class PassThroughInputMethod final : public InputMethod {
public:
    std::string_view name() const override { return "direct"; }
    void feed(const ImeKey& key, TextTarget& target) override;
    std::string_view preedit() const override { return {}; }
    std::size_t candidateCount() const override { return 0; }
    std::string_view candidate(std::size_t) const override { return {}; }
    void choose(std::size_t, TextTarget&) override {}
    void reset() override {}
};

} // namespace minsheng::kiosk
