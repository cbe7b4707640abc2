// The body of every endpoint that reads one: the first input byte picks the endpoint, the rest
// is the body, sent with the endpoint's Content-Type and a valid token (or internal token) to
// the real handlers of the three services over in-memory storage (bank_services.hpp). So the
// fuzzer spends its time in the JSON and form readers, the field rules and the amount parser
// rather than on HTTP syntax. Every answer must pass check_response (never a 500, JSON that
// parses, ...); "@token@" and friends in a body become valid credentials.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bank/http/message.hpp"
#include "bank_services.hpp"
#include "fuzz_keys.hpp"

namespace {

enum class Credential { kNone, kBearer, kInternal };

struct Endpoint {
    std::string_view target;
    std::string_view content_type;
    Credential credential;
    std::string_view idempotency_key;  // empty: none
};

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kForm = "application/x-www-form-urlencoded";

constexpr std::array kEndpoints{
    Endpoint{"/register", kJson, Credential::kInternal, {}},
    Endpoint{"/token", kForm, Credential::kNone, {}},
    Endpoint{"/revoke", kForm, Credential::kNone, {}},
    Endpoint{"/accounts", kJson, Credential::kNone, {}},
    Endpoint{"/accounts/login", kForm, Credential::kNone, {}},
    Endpoint{"/accounts/login", kJson, Credential::kNone, {}},
    Endpoint{"/transactions/deposit", kJson, Credential::kBearer, {}},
    Endpoint{"/transactions/withdraw", kJson, Credential::kBearer, {}},
    Endpoint{"/transactions/transfer", kJson, Credential::kBearer, {}},
    Endpoint{"/transactions/deposit", kJson, Credential::kBearer, "fuzz-key-1"},
    Endpoint{"/transactions/transfer", kJson, Credential::kBearer, "fuzz-key-2"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Endpoint& endpoint = kEndpoints[data[0] % kEndpoints.size()];
    bank::http::Request request{bank::http::Verb::post, endpoint.target, 11};
    request.set(bank::http::Field::host, "bank.test");
    request.set(bank::http::Field::content_type, endpoint.content_type);
    if (endpoint.credential == Credential::kBearer) {
        request.set(bank::http::Field::authorization, "Bearer " + bank::fuzz::access_token());
    } else if (endpoint.credential == Credential::kInternal) {
        request.set("X-Internal-Token", bank::fuzz::kInternalToken);
    }
    if (!endpoint.idempotency_key.empty()) request.set("Idempotency-Key", endpoint.idempotency_key);
    request.body() =
        bank::fuzz::expand_placeholders({reinterpret_cast<const char*>(data) + 1, size - 1});
    request.prepare_payload();
    bank::fuzz::Services services;
    const bank::http::Response response = services.handle(request);
    (void)response;
    return 0;
}
