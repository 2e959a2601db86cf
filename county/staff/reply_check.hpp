// Checks a public reply, before it is sent, for what parents at a kiosk should not read: phone
// numbers, 居民身份证 numbers and people's names. The checks warn; staff decide (the console shows
// the warnings and asks again, `case set` needs --confirm-reply). A reply is public the moment it
// is signed and pushed (ledger_schema.hpp invariant 7), so the check runs before signing.
//
// Rules (text is UTF-8, decoded to code points; byte offsets are into the original text; a
// malformed byte counts as one non-digit, non-Han character):
//   Phone     a run of digits (ASCII or full-width) in which single separators (space, '-',
//             full-width '－', ideographic space) may sit between digits, starting at the run's
//             start or after a separator and ending at a separator or the run's end, whose digits
//             are a mainland mobile 1[3-9]\d{9} (optionally after 86), or a landline
//             0\d{2,3} + \d{7,8} (10 to 12 digits starting with 0). A run glued to letters or more
//             digits is not a phone number (order numbers, dates).
//   IdNumber  17 ASCII digits and a final digit or X, not glued to other digits or letters, that
//             either carry a valid ISO 7064 MOD 11-2 check character or whose birth-date part
//             (characters 7 to 14, YYYYMMDD, year 1900 to 2099) is a real calendar date. An
//             18-digit number that is neither is most likely an order or account number.
//   PersonName  a Chinese surname (kChineseSurnames: ~120 common single-character surnames and
//             20 compound ones) followed by a title (老师 校长 主任 同学 家长 先生 女士), directly
//             or after one or two Han characters of a given name (王老师, 王小明同学, 欧阳校长).
//             Not a name: a title followed by 们 (老师们), a "given name" character that is a
//             common function or school word (年, 级, 班, 课, 的, 位, …: 高年级同学, 任课老师), and
//             a surname character that ends a common word with the character before it (关于老师,
//             提高, 历史老师, 经常).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::staff {

struct ReplyWarning {
    enum class Kind { Phone, IdNumber, PersonName };
    Kind kind = Kind::Phone;
    std::string matched;    // the text as written in the reply
    std::size_t offset = 0; // byte offset of `matched` in the reply
    std::string message;    // Chinese first, then English
};
std::string_view replyWarningKindName(ReplyWarning::Kind kind); // "phone" | "id_number" | "name"

/// The warnings for `text`, in the order they occur. Pure.
[[nodiscard]] std::vector<ReplyWarning> checkPublicReply(std::string_view text);

/// The surnames the name check knows, single-character first, then compound.
extern const std::vector<std::string_view> kChineseSurnames;

} // namespace minsheng::staff
