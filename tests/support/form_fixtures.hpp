// Helpers shared by the forms and kiosk core tests: the shipped configuration, a small test form,
// and finding the line of a marker in TOML text so expected error lines do not need hand counting.
#pragma once

#include "sync/forms/answers.hpp"
#include "sync/forms/form.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <memory_resource>
#include <string>
#include <string_view>

namespace minsheng::forms::test {

inline std::filesystem::path configDir() {
    return minsheng::test::sourceDir() / "config";
}

/// 1-based line of the first occurrence of `marker`; fails the test if absent.
inline int lineOf(std::string_view text, std::string_view marker) {
    const auto pos = text.find(marker);
    REQUIRE(pos != std::string_view::npos);
    int line = 1;
    for (std::size_t i = 0; i < pos; ++i)
        line += text[i] == '\n' ? 1 : 0;
    return line;
}

inline ListSet shippedLists() {
    auto lists = loadLists(configDir() / "forms" / "lists.toml");
    if (!lists)
        FAIL(lists.error().toString());
    return std::move(lists.value());
}

inline Form shippedForm(const char* name, const ListSet& lists) {
    auto form = loadForm(configDir() / "forms" / (std::string(name) + ".toml"), lists);
    if (!form)
        FAIL(form.error().toString());
    return std::move(form.value());
}

/// Lists for hand-written test forms: two regions, each with towns.
inline constexpr std::string_view kTestLists = R"(
[lists.regions]
title = { zh-CN = "区", en = "Region" }
[[lists.regions.items]]
id = "north"
label = { zh-CN = "北区", en = "North" }
[[lists.regions.items]]
id = "south"
label = { zh-CN = "南区", en = "South" }

[lists.towns]
title = { zh-CN = "镇", en = "Town" }
[[lists.towns.items]]
id = "n1"
label = { zh-CN = "北一镇", en = "North 1" }
parent = "north"
[[lists.towns.items]]
id = "s1"
label = { zh-CN = "南一镇", en = "South 1" }
parent = "south"
)";

inline ListSet testLists() {
    auto lists = parseLists(kTestLists, "test-lists.toml");
    if (!lists)
        FAIL(lists.error().toString());
    return std::move(lists.value());
}

/// One field of every type, a condition and a filtered picker.
inline constexpr std::string_view kTestForm = R"(
id = "test"
version = 3
kind = "complaint"
title = { zh-CN = "测试", en = "Test" }

[[fields]]
id = "kind"
type = "single"
required = true
label = { zh-CN = "类别", en = "Kind" }
[[fields.options]]
id = "a"
label = { zh-CN = "甲", en = "A" }
[[fields.options]]
id = "b"
label = { zh-CN = "乙", en = "B" }

[[fields]]
id = "only_a"
type = "text"
max_length = 5
required = true
show_if = { field = "kind", in = ["a"] }
label = { zh-CN = "甲的说明", en = "About A" }

[[fields]]
id = "tags"
type = "multiple"
min_selections = 2
max_selections = 3
label = { zh-CN = "标签", en = "Tags" }
[[fields.options]]
id = "t1"
label = { zh-CN = "一", en = "One" }
[[fields.options]]
id = "t2"
label = { zh-CN = "二", en = "Two" }
[[fields.options]]
id = "t3"
label = { zh-CN = "三", en = "Three" }
[[fields.options]]
id = "t4"
label = { zh-CN = "四", en = "Four" }

[[fields]]
id = "notes"
type = "text"
max_length = 10
multiline = true
label = { zh-CN = "备注", en = "Notes" }

[[fields]]
id = "phone"
type = "phone"
label = { zh-CN = "电话", en = "Phone" }

[[fields]]
id = "day"
type = "date"
label = { zh-CN = "日期", en = "Date" }

[[fields]]
id = "at"
type = "time"
label = { zh-CN = "时间", en = "Time" }

[[fields]]
id = "mood"
type = "scale"
label = { zh-CN = "满意度", en = "Satisfaction" }

[[fields]]
id = "region"
type = "picker"
list = "regions"
label = { zh-CN = "区", en = "Region" }

[[fields]]
id = "town"
type = "picker"
list = "towns"
filter_by = "region"
label = { zh-CN = "镇", en = "Town" }
)";

inline Form testForm(const ListSet& lists) {
    auto form = parseForm(kTestForm, "test-form.toml", lists);
    if (!form)
        FAIL(form.error().toString());
    return std::move(form.value());
}

} // namespace minsheng::forms::test
