#include "county/staff/kiosk_fleet.hpp"

#include "crypto/sodium.hpp"
#include "sync/wire/endpoints.hpp"

namespace minsheng::staff {

using nlohmann::json;

namespace {

std::optional<std::int64_t> integerMember(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer())
        return std::nullopt;
    return it->get<std::int64_t>();
}

std::string stringMember(const json& j, const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

Result<std::map<std::string, json>, ServerError> fetchKioskHealth(StaffTransport& server) {
    auto r = server.request("GET", sync::kStaffKiosksPath, {});
    if (!r)
        return fail(ServerError{true, "intake server not reachable (" + r.error().message +
                                          "); showing the registry only."});
    if (r->status != 200)
        return fail(ServerError{false, "intake server answered " + describeErrorAnswer(*r) + "."});
    std::map<std::string, json> health;
    auto body = json::parse(r->body, nullptr, false);
    if (body.is_object() && body.contains("kiosks") && body["kiosks"].is_array())
        for (const auto& h : body["kiosks"])
            if (h.is_object() && h.contains("id") && h["id"].is_string())
                health[h["id"].get<std::string>()] = h;
    return health;
}

KioskFleet buildKioskFleet(const county::KioskRegistry& registry,
                           const std::map<std::string, json>* health, std::int64_t now,
                           int silentHours) {
    KioskFleet fleet;
    for (const auto& [id, kiosk] : registry.all()) {
        KioskFleetRow row;
        row.id = id;
        row.name = kiosk.name;
        row.keyIdHex = crypto::toHex(kiosk.publicKey.id());
        row.revoked = kiosk.revoked;
        const json* found = nullptr;
        if (health)
            if (auto h = health->find(id); h != health->end())
                found = &h->second;
        if (found) {
            const json& record = *found;
            row.health = record;
            row.lastSeen = integerMember(record, "last_seen");
            if (auto hb = record.find("last_heartbeat"); hb != record.end() && hb->is_object()) {
                HeartbeatFigures figures;
                figures.sentAt = integerMember(*hb, "sent_at");
                figures.softwareVersion = stringMember(*hb, "version");
                figures.backlog = integerMember(*hb, "queue");
                figures.configVersion = integerMember(*hb, "config_version").value_or(0);
                figures.configFailure = stringMember(*hb, "config_failure");
                row.heartbeat = std::move(figures);
            }
            row.silent = !row.lastSeen || now - *row.lastSeen > std::int64_t{silentHours} * 3600;
        }
        fleet.rows.push_back(std::move(row));
    }
    return fleet;
}

KioskFleet readKioskFleet(const county::KioskRegistry& registry,
                          const StaffServerConnector& connect, std::int64_t now, int silentHours) {
    if (!connect)
        return buildKioskFleet(registry, nullptr, now, silentHours);
    auto server = connect();
    if (!server) {
        auto fleet = buildKioskFleet(registry, nullptr, now, silentHours);
        fleet.healthNote = server.error().message;
        return fleet;
    }
    auto health = fetchKioskHealth(**server);
    if (!health) {
        auto fleet = buildKioskFleet(registry, nullptr, now, silentHours);
        fleet.healthNote = health.error().message;
        return fleet;
    }
    return buildKioskFleet(registry, &*health, now, silentHours);
}

json fleetFiguresJson(const KioskFleetRow& row) {
    json out = json::object();
    if (row.heartbeat) {
        const auto& hb = *row.heartbeat;
        out["software_version"] = hb.softwareVersion;
        out["backlog"] = hb.backlog ? json(*hb.backlog) : json(nullptr);
        out["heartbeat_at"] = hb.sentAt ? json(*hb.sentAt) : json(nullptr);
        out["config_version"] = hb.configVersion;
        out["config_failure"] = hb.configFailure;
    }
    out["silent"] = row.silent;
    return out;
}

} // namespace minsheng::staff
