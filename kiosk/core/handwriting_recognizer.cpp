#include "kiosk/core/handwriting_recognizer.hpp"

#include "kiosk/core/stroke_normaliser.hpp"

#include <zinnia.h>

#include <algorithm>
#include <unordered_map>

namespace minsheng::kiosk {

extern const char* const kCommonCharsText; // kiosk/core/data/common_chars.txt, built in (CMake)

namespace {

/// character → rank, from the built-in list (lines of characters, most common first; lines
/// starting with # are comments).
const std::unordered_map<std::string, std::size_t>& commonRanks() {
    static const auto ranks = [] {
        std::unordered_map<std::string, std::size_t> m;
        std::string_view text(kCommonCharsText);
        std::size_t rank = 0;
        while (!text.empty()) {
            const auto eol = text.find('\n');
            std::string_view line = text.substr(0, eol);
            text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
            if (line.empty() || line[0] == '#')
                continue;
            for (std::size_t i = 0; i < line.size();) {
                const unsigned char lead = static_cast<unsigned char>(line[i]);
                const std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
                m.emplace(std::string(line.substr(i, n)), rank++);
                i += n;
            }
        }
        return m;
    }();
    return ranks;
}

} // namespace

std::optional<std::size_t> commonCharacterRank(std::string_view character) {
    const auto& ranks = commonRanks();
    const auto it = ranks.find(std::string(character));
    if (it == ranks.end())
        return std::nullopt;
    return it->second;
}

std::size_t commonCharacterCount() {
    return commonRanks().size();
}

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
    return recognizeWith(ink, max, HandwritingTuning{});
}

std::vector<std::string> ZinniaRecognizer::recognizeWith(std::span<const InkPoint> ink,
                                                         std::size_t max,
                                                         const HandwritingTuning& tuning) const {
    std::vector<std::string> out;
    if (ink.empty() || max == 0 || !load())
        return out;
    std::vector<InkPoint> normalised;
    if (tuning.normalise) {
        normalised = normaliseInk(ink);
        ink = normalised;
    }
    struct Scored {
        std::string character;
        double score = 0;
    };
    std::vector<Scored> pool;
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
    if (zinnia_result_t* r =
            zinnia_recognizer_classify(m_recognizer, c, std::max(max, tuning.pool))) {
        for (std::size_t i = 0; i < zinnia_result_size(r); ++i)
            pool.push_back(Scored{zinnia_result_value(r, i), zinnia_result_score(r, i)});
        zinnia_result_destroy(r);
    }
    zinnia_character_destroy(c);
    if (tuning.commonBonus > 0) {
        const double listed = static_cast<double>(std::max<std::size_t>(1, commonCharacterCount()));
        for (Scored& s : pool)
            if (const auto rank = commonCharacterRank(s.character))
                s.score += tuning.commonBonus * (1.0 - static_cast<double>(*rank) / listed);
        std::stable_sort(pool.begin(), pool.end(),
                         [](const Scored& a, const Scored& b) { return a.score > b.score; });
    }
    for (std::size_t i = 0; i < pool.size() && out.size() < max; ++i)
        out.push_back(std::move(pool[i].character));
    return out;
}

} // namespace minsheng::kiosk
