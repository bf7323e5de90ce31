#include "ctl/prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "core/strings.h"

namespace pgha::ctl {
namespace {

Result<std::string> ReadAnswer(const std::string& prompt) {
  if (!::isatty(STDIN_FILENO)) {
    return Err("\"" + prompt + "\" needs an answer, but stdin is not a terminal: use --force");
  }
  std::fputs(prompt.c_str(), stdout);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) return Err("no answer (end of input)");
  return Trim(line);
}

}  // namespace

Result<bool> Confirm(const std::string& question, bool force) {
  if (force) return true;
  Result<std::string> answer = ReadAnswer(question + " [y/N]: ");
  if (!answer.ok()) return answer.error();
  return *answer == "y" || *answer == "Y" || *answer == "yes" || *answer == "Yes";
}

Result<std::string> AskSecret(const std::string& question) {
  termios before{};
  bool tty = ::tcgetattr(STDIN_FILENO, &before) == 0;
  if (tty) {
    termios quiet = before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  Result<std::string> answer = ReadAnswer(question + ": ");
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &before);
    std::fputs("\n", stdout);
  }
  return answer;
}

Result<std::string> Ask(const std::string& question, const std::string& default_answer) {
  Result<std::string> answer = ReadAnswer(question + " [" + default_answer + "]: ");
  if (!answer.ok()) return answer.error();
  return answer->empty() ? default_answer : *answer;
}

}  // namespace pgha::ctl
