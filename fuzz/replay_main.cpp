// The main of the replay executables: runs a fuzz target's LLVMFuzzerTestOneInput once on every
// file named on the command line or found (not recursively) in a directory named there. ctest
// runs it on the seed corpus and on every input that once crashed (fuzz/regressions/), so those
// inputs are checked in every build, including g++ ones without libFuzzer. A finding aborts the
// process (a sanitizer report, or a property check in the target), which fails the test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool replay(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(file),
                                  std::istreambuf_iterator<char>()};
    // A copy in a buffer of exactly the input's size, as libFuzzer passes it, so ASan sees any
    // read past the end.
    std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(input.data(), input.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::filesystem::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path(argv[i]);
        std::error_code error;
        if (std::filesystem::is_directory(path, error)) {
            for (const auto& entry : std::filesystem::directory_iterator(path)) {
                if (entry.is_regular_file()) inputs.push_back(entry.path());
            }
        } else if (std::filesystem::exists(path, error)) {
            inputs.push_back(path);
        }
        // A missing path is no error: a target without any regression yet has no directory.
    }
    std::sort(inputs.begin(), inputs.end());
    std::size_t replayed = 0;
    for (const auto& path : inputs) {
        if (!replay(path)) return 1;
        ++replayed;
    }
    std::printf("replayed %zu inputs\n", replayed);
    // Nothing to replay means a wrong path, not a pass: every target has a seed corpus.
    return replayed == 0 ? 1 : 0;
}
