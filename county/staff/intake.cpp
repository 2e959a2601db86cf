#include "county/staff/intake.hpp"

#include "sync/wire/envelope_json.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/protocol_messages.hpp"

namespace minsheng::staff {

namespace fs = std::filesystem;

void IntakeSummary::add(const IntakeSummary& o) {
    recorded += o.recorded;
    duplicates += o.duplicates;
    alarms += o.alarms;
    messages.insert(messages.end(), o.messages.begin(), o.messages.end());
    verdicts.insert(verdicts.end(), o.verdicts.begin(), o.verdicts.end());
}

AlarmKind alarmKindFor(county::EnvelopeAlarm alarm) {
    using county::EnvelopeAlarm;
    switch (alarm) {
    case EnvelopeAlarm::Fork:
        return AlarmKind::Fork;
    case EnvelopeAlarm::ChainBreak:
        return AlarmKind::ChainBreak;
    case EnvelopeAlarm::BadAck:
        return AlarmKind::BadAck;
    case EnvelopeAlarm::BadPayload:
        return AlarmKind::BadPayload;
    case EnvelopeAlarm::RevokedKiosk:
        return AlarmKind::RevokedKiosk;
    default:
        return AlarmKind::Rejected;
    }
}

namespace {

/// The alarm the ledger records for a refused envelope; `detail` starts with the reason's name.
Alarm alarmFor(const county::EnvelopeVerdict& verdict, const crypto::EnvelopeHeader* header,
               std::optional<crypto::Hash256> hash, EnvelopeSource source, std::string wire,
               std::int64_t now) {
    return Alarm{alarmKindFor(*verdict.alarm),
                 header ? header->kioskId : std::string(),
                 header ? header->sequence : 0,
                 hash,
                 source,
                 std::string(county::envelopeAlarmName(*verdict.alarm)) + ": " + verdict.problem +
                     " Not recorded.",
                 std::move(wire),
                 now};
}

county::EnvelopeArrival arrivalOf(EnvelopeSource source) {
    return source == EnvelopeSource::Network ? county::EnvelopeArrival::Network
                                             : county::EnvelopeArrival::File;
}

/// A verification's result as the ledger takes it.
std::variant<OpenedSubmission, Alarm> forLedger(const crypto::Envelope& envelope,
                                                county::VerifiedEnvelope&& v, EnvelopeSource source,
                                                std::int64_t now) {
    std::string wire = sync::envelopeToJson(envelope);
    if (!v.verdict.verified())
        return alarmFor(v.verdict, &envelope.header, v.hash, source, std::move(wire), now);
    OpenedSubmission s;
    s.source = source;
    s.envelope = envelope;
    s.hash = v.hash;
    s.wire = std::move(wire);
    if (v.ack) {
        s.ack = *v.ack;
        s.ackJson = sync::acknowledgementToJson(*v.ack).dump();
    }
    if (v.payload)
        s.payload = std::move(*v.payload);
    s.kind = v.kind;
    return s;
}

} // namespace

std::variant<OpenedSubmission, Alarm>
checkEnvelope(const crypto::Envelope& envelope, EnvelopeSource source,
              const std::optional<sync::ParsedAcknowledgement>& ack, const IntakeContext& ctx,
              county::ChainRecord& chain, std::int64_t now) {
    return forLedger(envelope,
                     county::verifyCountyEnvelope(envelope, arrivalOf(source), ack, ctx, chain),
                     source, now);
}

namespace {

/// One import, or one page of a pull, on its way into the ledger: every envelope's verdict in
/// the order checked, the verified submissions and the alarms.
class IntakeBatch {
public:
    IntakeBatch(EnvelopeSource source, std::int64_t now) : m_source(source), m_now(now) {}

    /// Something that did not parse as an envelope (`text`: kept with the alarm when short).
    void refuse(const county::EnvelopeVerdict& verdict, const std::string& text) {
        m_verdicts.push_back({"", 0, std::nullopt, verdict.alarm, false});
        m_alarms.push_back(alarmFor(verdict, nullptr, std::nullopt, m_source,
                                    text.size() <= 4096 ? text : std::string(), m_now));
    }

    void check(const crypto::Envelope& envelope,
               const std::optional<sync::ParsedAcknowledgement>& ack, const IntakeContext& ctx,
               county::ChainRecord& chain) {
        auto v = county::verifyCountyEnvelope(envelope, arrivalOf(m_source), ack, ctx, chain);
        const auto& h = envelope.header;
        for (const auto& note : v.verdict.notes)
            if (note.rfind("gap:", 0) == 0)
                m_notes.push_back(note);
        m_verdicts.push_back({h.kioskId, h.sequence, v.hash, v.verdict.alarm, v.verdict.duplicate});
        auto checked = forLedger(envelope, std::move(v), m_source, m_now);
        if (auto* a = std::get_if<Alarm>(&checked)) {
            m_alarms.push_back(std::move(*a));
            return;
        }
        m_subVerdict.push_back(m_verdicts.size() - 1);
        m_subs.push_back(std::move(std::get<OpenedSubmission>(checked)));
    }

    /// Records the batch (and moves the pull cursor to `cursor` when given), then adds its
    /// counts, messages and verdicts to `sum`.
    Result<Ok, LedgerError> record(Ledger& ledger, std::optional<std::int64_t> cursor,
                                   IntakeSummary& sum) {
        auto results = ledger.recordBatch(m_subs, m_alarms, cursor, m_now);
        if (!results)
            return fail(results.error());
        for (std::size_t i = 0; i < results->size(); ++i) {
            const RecordResult& r = (*results)[i];
            IntakeVerdict& verdict = m_verdicts[m_subVerdict[i]];
            switch (r.outcome) {
            case RecordOutcome::Recorded:
                ++sum.recorded;
                break;
            case RecordOutcome::Duplicate:
                ++sum.duplicates;
                verdict.duplicate = true;
                break;
            case RecordOutcome::Fork:
            case RecordOutcome::ChainBreak:
                // The ledger's history disagrees: the same names as the verification's own.
                verdict.alarm = r.outcome == RecordOutcome::Fork
                                    ? county::EnvelopeAlarm::Fork
                                    : county::EnvelopeAlarm::ChainBreak;
                ++sum.alarms;
                sum.messages.push_back(r.message);
                break;
            }
        }
        for (const auto& a : m_alarms) {
            ++sum.alarms;
            sum.messages.push_back(a.detail);
        }
        sum.messages.insert(sum.messages.end(), m_notes.begin(), m_notes.end());
        sum.verdicts.insert(sum.verdicts.end(), m_verdicts.begin(), m_verdicts.end());
        return Ok{};
    }

private:
    EnvelopeSource m_source;
    std::int64_t m_now;
    std::vector<IntakeVerdict> m_verdicts;
    std::vector<OpenedSubmission> m_subs;
    std::vector<std::size_t> m_subVerdict; // index into m_verdicts of each submission
    std::vector<Alarm> m_alarms;
    std::vector<std::string> m_notes;
};

} // namespace

Result<IntakeSummary, LedgerError> importEnvelopeFiles(Ledger& ledger,
                                                       const std::vector<fs::path>& inputs,
                                                       const IntakeContext& ctx, std::int64_t now) {
    // The files in the order `open` reads them, through the same verification.
    IntakeBatch batch(EnvelopeSource::Import, now);
    county::ChainRecord chain;
    for (const auto& f : county::readEnvelopeFiles(county::collectEnvelopeFiles(inputs)))
        if (!f.envelope)
            batch.refuse(f.unparsed, f.text);
        else
            batch.check(*f.envelope, std::nullopt, ctx, chain);
    IntakeSummary sum;
    if (auto r = batch.record(ledger, std::nullopt, sum); !r)
        return fail(r.error());
    return sum;
}
Result<IntakeSummary, ServerError> pullFromServer(Ledger& ledger, StaffTransport& server,
                                                  const IntakeContext& ctx, std::int64_t now,
                                                  unsigned pageSize) {
    IntakeSummary sum;
    auto ledgerFailure = [](const LedgerError& e) {
        return fail(ServerError{false, e.message});
    };
    auto cursor = ledger.cursor();
    if (!cursor)
        return ledgerFailure(cursor.error());
    std::int64_t after = *cursor;
    county::ChainRecord chain; // what this pull verified, across its pages
    for (int pageNumber = 0; pageNumber < 1000000; ++pageNumber) {
        const std::string target =
            sync::staffPullTarget({static_cast<std::uint64_t>(after), pageSize});
        auto r = server.request("GET", target, {});
        if (!r)
            return fail(ServerError{true, "cannot reach the intake server at " + server.describe() +
                                              ": " + r.error().message});
        if (r->status == 401)
            return fail(ServerError{false, "the intake server refused the staff token (" +
                                               describeErrorAnswer(*r) +
                                               "). keys/staff.token must be the one made by init "
                                               "for this county."});
        if (r->status != 200)
            return fail(ServerError{false, "the intake server answered " + describeErrorAnswer(*r) +
                                               " to " + target + "."});
        auto page = sync::staffPullPageFromJson(r->body);
        if (!page)
            return fail(ServerError{false, "the intake server's answer to " + target +
                                               " is not a v1 envelope page ({\"v\":1, \"items\", "
                                               "\"next\"}: " +
                                               page.error().message +
                                               "). Nothing was recorded from it."});
        const std::int64_t next = page->next;
        if (page->items.empty())
            break;
        if (next <= after)
            return fail(ServerError{false, "the intake server's cursor went backwards (" +
                                               std::to_string(after) + " → " +
                                               std::to_string(next) + "). Nothing was recorded."});
        IntakeBatch batch(EnvelopeSource::Network, now);
        for (const sync::StaffPullItem& item : page->items) {
            if (!item.hasEnvelope) {
                county::EnvelopeVerdict missing;
                missing.alarm = county::EnvelopeAlarm::Malformed;
                missing.problem = "the server sent an item without an envelope.";
                batch.refuse(missing, "");
            } else if (const auto& env = *item.envelope; !env) {
                batch.refuse(
                    county::unparsedEnvelopeVerdict(env.error(), "an envelope the server sent"),
                    item.envelopeText);
            } else {
                batch.check(*env, item.ack, ctx, chain);
            }
        }
        if (auto recorded = batch.record(ledger, next, sum); !recorded)
            return ledgerFailure(recorded.error());
        after = next;
    }
    return sum;
}

Result<PushSummary, LedgerError> pushPendingStatuses(Ledger& ledger, StaffTransport& server,
                                                     std::int64_t now) {
    auto pending = ledger.pendingPushes();
    if (!pending)
        return fail(pending.error());
    PushSummary sum;
    sum.pending = pending->size();
    for (const auto& p : *pending) {
        auto r =
            server.request("PUT", sync::staffStatusPath(crypto::toHex(p.receiptTag)), p.signedJson);
        if (!r) {
            sum.messages.push_back("cannot reach the intake server at " + server.describe() + " (" +
                                   r.error().message + "); " + std::to_string(sum.pending) +
                                   " status change(s) stay queued and are pushed at the next "
                                   "`pull` or `case set`.");
            return sum;
        }
        if (r->status == 200) {
            if (auto m = ledger.markPushed(p.historyId, now); !m)
                return fail(m.error());
            ++sum.pushed;
            --sum.pending;
            continue;
        }
        if (r->status == 404)
            sum.messages.push_back(
                "case " + p.caseNumber +
                ": the server does not hold this complaint yet (it may have come by USB stick "
                "only); the status stays queued until the kiosk's forwarder delivers it.");
        else
            sum.messages.push_back("case " + p.caseNumber + ": the server refused the status (" +
                                   describeErrorAnswer(*r) + "); it stays queued.");
    }
    return sum;
}

} // namespace minsheng::staff
