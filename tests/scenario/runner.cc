// scenario_runner [--rewrite] <file-or-directory>...
// Runs ha::Decide on each scenario and compares its actions and reason with the file's
// `expect:` / `reason:` lines. --rewrite replaces those lines with the actual result instead, so
// a behaviour change shows up as a reviewable diff of tests/scenario/*.txt.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "scenario/scenario.h"

namespace pgha::scenario {
namespace {

namespace fs = std::filesystem;

struct Actual {
  std::vector<std::string> expect;
  std::string reason;
  bool operator==(const Actual&) const = default;
};

struct Counts {
  int passed = 0, failed = 0, rewritten = 0;
};

Actual Run(const ha::Observation& obs) {
  ha::Decision d = ha::Decide(obs);
  Actual a{{}, d.reason};
  for (const auto& action : d.actions) a.expect.push_back(ha::Describe(action));
  if (a.expect.empty()) a.expect.push_back("none");
  return a;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " | ") + item;
  return out.empty() ? "(no expect: lines)" : out;
}

void PrintMismatch(const Scenario& s, const Actual& a) {
  std::cout << "FAIL " << s.path << "\n"
            << "  expected actions: " << Join(s.expect) << "\n"
            << "  actual actions:   " << Join(a.expect) << "\n"
            << "  expected reason:  " << s.reason.value_or("(no reason: line)") << "\n"
            << "  actual reason:    " << a.reason << "\n";
}

// The file with its expect:/reason: lines replaced by `a`, where the first of them stood.
std::string Rewritten(const Scenario& s, const Actual& a) {
  std::vector<std::string> block;
  for (const auto& e : a.expect) block.push_back("expect: " + e);
  block.push_back("reason: " + a.reason);
  size_t at = s.expectation_lines.empty() ? s.lines.size() : s.expectation_lines.front();
  std::string out;
  for (size_t i = 0; i <= s.lines.size(); ++i) {
    if (i == at)
      for (const auto& b : block) out += b + "\n";
    if (i == s.lines.size()) break;
    bool old = std::count(s.expectation_lines.begin(), s.expectation_lines.end(), i) > 0;
    if (!old) out += s.lines[i] + "\n";
  }
  return out;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!(out << text)) return false;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

void Rewrite(const Scenario& s, const Actual& a, Counts& counts) {
  std::string text = Rewritten(s, a);
  std::string before;
  for (const auto& line : s.lines) before += line + "\n";
  if (text == before) {
    ++counts.passed;
  } else if (WriteFile(s.path, text)) {
    std::cout << "rewrote " << s.path << "\n";
    ++counts.rewritten;
  } else {
    std::cout << "FAIL " << s.path << ": cannot write the file\n";
    ++counts.failed;
  }
}

void Check(const Scenario& s, const Actual& a, Counts& counts) {
  if (s.expect == a.expect && s.reason == a.reason) {
    ++counts.passed;
    return;
  }
  PrintMismatch(s, a);
  ++counts.failed;
}

void RunFile(const std::string& path, bool rewrite, Counts& counts) {
  Scenario s;
  try {
    s = LoadScenario(path);
  } catch (const ParseError& e) {
    std::cout << "FAIL " << e.what() << "\n";
    ++counts.failed;
    return;
  }
  Actual a = Run(s.obs);
  if (!(Run(s.obs) == a)) {  // Decide is pure: the same observation gives the same decision
    std::cout << "FAIL " << path << ": Decide gave two different answers\n";
    ++counts.failed;
    return;
  }
  rewrite ? Rewrite(s, a, counts) : Check(s, a, counts);
}

std::vector<std::string> Expand(const std::string& arg) {
  if (!fs::is_directory(arg)) return {arg};
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(arg)) {
    bool scenario =
        entry.path().extension() == ".txt" && entry.path().filename() != "CMakeLists.txt";
    if (entry.is_regular_file() && scenario) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

int Main(int argc, char** argv) {
  bool rewrite = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--rewrite") {
      rewrite = true;
    } else if (arg == "--help" || arg == "-h" || arg.starts_with("--")) {
      std::cerr << "usage: scenario_runner [--rewrite] <file-or-directory>...\n";
      return arg.starts_with("--h") || arg == "-h" ? 0 : 2;
    } else {
      for (auto& f : Expand(arg)) files.push_back(std::move(f));
    }
  }
  if (files.empty()) {
    std::cerr << "scenario_runner: no scenario files given\n";
    return 2;
  }
  Counts counts;
  for (const auto& f : files) RunFile(f, rewrite, counts);
  std::cout << counts.passed << " passed, " << counts.failed << " failed";
  if (rewrite) std::cout << ", " << counts.rewritten << " rewritten";
  std::cout << "\n";
  return counts.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace pgha::scenario

int main(int argc, char** argv) { return pgha::scenario::Main(argc, argv); }
