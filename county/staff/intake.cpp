#include "county/staff/intake.hpp"

#include "county/office/county_dir.hpp"

#include "sync/wire/envelope_json.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/minute_time.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace minsheng::staff {

namespace fs = std::filesystem;

void IntakeSummary::add(const IntakeSummary& o) {
    recorded += o.recorded;
    duplicates += o.duplicates;
    alarms += o.alarms;
    messages.insert(messages.end(), o.messages.begin(), o.messages.end());
}

std::map<std::string, std::int64_t> loadRevocationTimes(const county::CountyDir& dir,
                                                        const county::KioskRegistry& registry) {
    std::map<std::string, std::int64_t> out;
    for (const auto& [id, k] : registry.all()) {
        if (!k.revoked)
            continue;
        const fs::path file = dir.kiosksDir() / (id + ".revoked");
        std::int64_t at = 0;
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("revoked-at:", 0) == 0) {
                std::string v = line.substr(11);
                v.erase(0, v.find_first_not_of(' '));
                if (auto t = sync::parseMinuteUtc(v))
                    at = *t;
            }
        if (at == 0) {
            struct stat st {};
            at = ::stat(file.c_str(), &st) == 0 ? st.st_mtime : 0;
        }
        out[id] = at;
    }
    return out;
}

std::variant<OpenedSubmission, Alarm>
checkEnvelope(const crypto::Envelope& envelope, EnvelopeSource source,
              const std::optional<sync::ParsedAcknowledgement>& parsedAck, const IntakeContext& ctx,
              std::int64_t now) {
    const auto& h = envelope.header;
    const crypto::Hash256 hash = crypto::envelopeHash(envelope);
    const std::string wire = sync::envelopeToJson(envelope);
    auto alarm = [&](AlarmKind kind, std::string detail) {
        return Alarm{kind, h.kioskId, h.sequence, hash, source, std::move(detail), wire, now};
    };
    if (auto bad = county::checkEnvelopeOrigin(envelope, *ctx.registry, true))
        return alarm(AlarmKind::Rejected, bad->problem + " Not recorded.");

    OpenedSubmission s;
    s.source = source;
    if (source == EnvelopeSource::Network) {
        const std::string who = h.kioskId + " #" + std::to_string(h.sequence);
        if (!parsedAck)
            return alarm(AlarmKind::BadAck, who + ": the server sent it without its "
                                                  "acknowledgement. Not recorded.");
        const sync::ParsedAcknowledgement& ack = *parsedAck;
        if (!ack)
            return alarm(AlarmKind::BadAck, who + ": the server's acknowledgement is malformed (" +
                                                ack.error().message + "). Not recorded.");
        if (ack->kioskId != h.kioskId || ack->sequence != h.sequence ||
            !crypto::constantTimeEqual(ack->envelopeHash, hash) ||
            !crypto::verifyAcknowledgement(*ack, ctx.countySigningKey).ok())
            return alarm(AlarmKind::BadAck,
                         who + ": the server's acknowledgement does not verify with "
                               "keys/county-signing.pub or names another envelope. Not recorded: "
                               "the intake server may be compromised; check it.");
        s.ack = *ack;
        s.ackJson = sync::acknowledgementToJson(*ack).dump();
    }
    // Revocation (see the header comment).
    if (auto r = ctx.revokedAt.find(h.kioskId); r != ctx.revokedAt.end()) {
        const bool before = s.ack && s.ack->receivedAt < r->second;
        if (!before)
            return alarm(AlarmKind::RevokedKiosk,
                         h.kioskId + " #" + std::to_string(h.sequence) + ": kiosk \"" + h.kioskId +
                             "\" is revoked and this envelope " +
                             (s.ack ? "reached the server after the revocation"
                                    : "came on a stick with no proof of when it was made") +
                             ". Not recorded; it is kept with the alarm for examination.");
    }
    auto opened = county::openCheckedEnvelope(envelope, *ctx.keys);
    if (!opened)
        return alarm(AlarmKind::Rejected, opened.error().problem + " Not recorded.");
    auto payload = forms::parsePayload(opened->view());
    if (!payload)
        return alarm(AlarmKind::BadPayload, h.kioskId + " #" + std::to_string(h.sequence) +
                                                ": the payload opened but is not a valid "
                                                "Minsheng payload (" +
                                                payload.error() + "). Not recorded.");
    if (payload->formId != h.formId || payload->createdAt != h.createdAt)
        return alarm(AlarmKind::BadPayload,
                     h.kioskId + " #" + std::to_string(h.sequence) +
                         ": the payload's form or time disagrees with the signed header. Not "
                         "recorded.");
    s.envelope = envelope;
    s.hash = hash;
    s.wire = wire;
    s.payload = std::move(payload.value());
    return s;
}

namespace {

void summarise(IntakeSummary& sum, const std::vector<OpenedSubmission>& subs,
               const std::vector<Alarm>& alarms, const std::vector<RecordResult>& results) {
    for (std::size_t i = 0; i < results.size(); ++i) {
        switch (results[i].outcome) {
        case RecordOutcome::Recorded:
            ++sum.recorded;
            break;
        case RecordOutcome::Duplicate:
            ++sum.duplicates;
            break;
        case RecordOutcome::Fork:
        case RecordOutcome::ChainBreak:
            ++sum.alarms;
            sum.messages.push_back(results[i].message);
            break;
        }
    }
    (void)subs;
    for (const auto& a : alarms) {
        ++sum.alarms;
        sum.messages.push_back(a.detail);
    }
}

} // namespace

Result<IntakeSummary, LedgerError> importEnvelopeFiles(Ledger& ledger,
                                                       const std::vector<fs::path>& inputs,
                                                       const IntakeContext& ctx, std::int64_t now) {
    std::vector<crypto::Envelope> envelopes;
    std::vector<Alarm> alarms;
    for (const auto& f : county::collectEnvelopeFiles(inputs)) {
        std::error_code ec;
        auto text = fs::file_size(f, ec) <= sync::kMaxEnvelopeJsonBytes ? county::readWholeFile(f)
                                                                        : std::nullopt;
        if (!text) {
            alarms.push_back({AlarmKind::Rejected, "", 0, std::nullopt, EnvelopeSource::Import,
                              f.string() + ": cannot be read, or larger than any envelope. Not "
                                           "recorded.",
                              "", now});
            continue;
        }
        auto env = sync::envelopeFromJson(*text);
        if (!env) {
            alarms.push_back({AlarmKind::Rejected, "", 0, std::nullopt, EnvelopeSource::Import,
                              f.string() + ": " + env.error().message + ". Not recorded.",
                              text->size() <= 4096 ? *text : std::string(), now});
            continue;
        }
        envelopes.push_back(std::move(env.value()));
    }
    // The chain is checked against the ledger in sequence order per kiosk.
    std::stable_sort(envelopes.begin(), envelopes.end(), [](const auto& a, const auto& b) {
        if (a.header.kioskId != b.header.kioskId)
            return a.header.kioskId < b.header.kioskId;
        return a.header.sequence < b.header.sequence;
    });
    std::vector<OpenedSubmission> subs;
    for (const auto& e : envelopes) {
        auto checked = checkEnvelope(e, EnvelopeSource::Import, std::nullopt, ctx, now);
        if (auto* a = std::get_if<Alarm>(&checked))
            alarms.push_back(std::move(*a));
        else
            subs.push_back(std::move(std::get<OpenedSubmission>(checked)));
    }
    auto results = ledger.recordBatch(subs, alarms, std::nullopt, now);
    if (!results)
        return fail(results.error());
    IntakeSummary sum;
    summarise(sum, subs, alarms, *results);
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
        std::vector<OpenedSubmission> subs;
        std::vector<Alarm> alarms;
        for (const sync::StaffPullItem& item : page->items) {
            if (!item.hasEnvelope) {
                alarms.push_back({AlarmKind::Rejected, "", 0, std::nullopt, EnvelopeSource::Network,
                                  "the server sent an item without an envelope.", "", now});
                continue;
            }
            const auto& env = *item.envelope;
            if (!env) {
                alarms.push_back(
                    {AlarmKind::Rejected, "", 0, std::nullopt, EnvelopeSource::Network,
                     "the server sent an envelope that does not parse (" + env.error().message +
                         "). Not recorded.",
                     item.envelopeText.size() <= 4096 ? item.envelopeText : std::string(), now});
                continue;
            }
            auto checked = checkEnvelope(*env, EnvelopeSource::Network, item.ack, ctx, now);
            if (auto* a = std::get_if<Alarm>(&checked))
                alarms.push_back(std::move(*a));
            else
                subs.push_back(std::move(std::get<OpenedSubmission>(checked)));
        }
        auto results = ledger.recordBatch(subs, alarms, next, now);
        if (!results)
            return ledgerFailure(results.error());
        summarise(sum, subs, alarms, *results);
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
