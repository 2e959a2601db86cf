// The forms layer's names, as the kiosk side uses them.
//
// Forms, answers, validation and the canonical payload live in sync/forms (namespace
// minsheng::forms) because the county reads them too. The kiosk core, window and tools speak that
// vocabulary on every screen; this header imports exactly the names they use into
// minsheng::kiosk, so a reader sees in one place what the kiosk takes from the shared layer.
#pragma once

#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/canonical_payload.hpp"
#include "sync/forms/config_error.hpp"
#include "sync/forms/form.hpp"
#include "sync/forms/form_description.hpp"
#include "sync/forms/form_set.hpp"
#include "sync/forms/localized_text.hpp"
#include "sync/forms/text_rules.hpp"
#include "sync/forms/validation.hpp"

namespace minsheng::kiosk {

// Types.
using forms::Answer;
using forms::AnswerKind;
using forms::Answers;
using forms::Condition;
using forms::ConfigError;
using forms::Field;
using forms::FieldError;
using forms::FieldErrorCode;
using forms::FieldType;
using forms::Form;
using forms::FormKind;
using forms::FormSet;
using forms::ListItem;
using forms::ListSet;
using forms::LocalizedText;
using forms::NamedList;
using forms::Option;
using forms::ParsedPayload;
using forms::TextCheck;
using forms::TextProblem;

// Limits.
using forms::kLocaleEn;
using forms::kLocaleZh;
using forms::kMaxPayloadBytes;
using forms::kMaxTextLength;
using forms::kMinTextLength;
using forms::kScaleMax;
using forms::kScaleMin;

// Functions.
using forms::answerKindName;
using forms::buildCanonicalPayload;
using forms::checkText;
using forms::describeForm;
using forms::describeFormText;
using forms::exampleAnswers;
using forms::fieldErrorCodeName;
using forms::fieldTypeFromName;
using forms::fieldTypeName;
using forms::formatPayloadTime;
using forms::formKindName;
using forms::isFieldVisible;
using forms::isSupportedLocale;
using forms::isValidDate;
using forms::isValidPhone;
using forms::isValidTime;
using forms::loadForm;
using forms::loadLists;
using forms::parseAnswersJson;
using forms::parseForm;
using forms::parseLists;
using forms::parsePayload;
using forms::validateAnswers;
using forms::visibleFields;
using forms::worstCasePayloadBytes;

} // namespace minsheng::kiosk
