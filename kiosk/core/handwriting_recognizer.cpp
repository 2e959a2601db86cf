#include "kiosk/core/handwriting_recognizer.hpp"

#include <zinnia.h>

namespace minsheng::kiosk {

Result<std::unique_ptr<ZinniaRecognizer>, HandwritingError>
ZinniaRecognizer::open(const std::filesystem::path& model) {
    std::unique_ptr<ZinniaRecognizer> r(new ZinniaRecognizer());
    r->m_model = model;
    // Checked fully once at start-up, so that a bad model is a start-up error naming the file;
    // then released until a parent draws.
    if (!r->load()) {
        return fail(HandwritingError{model.string() +
                                     ": cannot open the handwriting model (Debian package "
                                     "tegaki-zinnia-simplified-chinese; [ui] handwriting_model)"});
    }
    r->releaseModel();
    return r;
}

ZinniaRecognizer::~ZinniaRecognizer() {
    releaseModel();
}

bool ZinniaRecognizer::load() const {
    if (m_recognizer)
        return true;
    m_recognizer = zinnia_recognizer_new();
    if (m_recognizer && zinnia_recognizer_open(m_recognizer, m_model.c_str()))
        return true;
    releaseModel();
    return false;
}

void ZinniaRecognizer::releaseModel() const {
    if (m_recognizer) {
        zinnia_recognizer_destroy(m_recognizer); // closes and unmaps the model
        m_recognizer = nullptr;
    }
}

std::size_t ZinniaRecognizer::characterCount() const {
    return load() ? zinnia_recognizer_size(m_recognizer) : 0;
}

std::vector<std::string> ZinniaRecognizer::recognize(std::span<const InkPoint> ink,
                                                     std::size_t max) const {
    std::vector<std::string> out;
    if (ink.empty() || max == 0 || !load())
        return out;
    zinnia_character_t* c = zinnia_character_new();
    zinnia_character_set_width(c, kInkSize);
    zinnia_character_set_height(c, kInkSize);
    // zinnia wants stroke ids 0, 1, 2, ... without gaps.
    std::size_t id = 0;
    std::uint16_t last = ink.front().stroke;
    for (const InkPoint& p : ink) {
        if (p.stroke != last) {
            ++id;
            last = p.stroke;
        }
        zinnia_character_add(c, id, p.x, p.y);
    }
    if (zinnia_result_t* r = zinnia_recognizer_classify(m_recognizer, c, max)) {
        for (std::size_t i = 0; i < zinnia_result_size(r); ++i)
            out.emplace_back(zinnia_result_value(r, i));
        zinnia_result_destroy(r);
    }
    zinnia_character_destroy(c);
    return out;
}

} // namespace minsheng::kiosk
