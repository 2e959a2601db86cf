#include "kiosk/core/input_method.hpp"

namespace minsheng::kiosk {

void PassThroughInputMethod::feed(const ImeKey& key, TextTarget& target) {
    switch (key.kind) {
    case ImeKey::Kind::Text:
        target.insert(key.text);
        break;
    case ImeKey::Kind::Backspace:
        target.backspace();
        break;
    case ImeKey::Kind::Space:
        target.insert(" ");
        break;
    case ImeKey::Kind::Enter:
        if (target.multiline())
            target.insert("\n");
        break;
    }
}

} // namespace minsheng::kiosk
