#pragma once
// patronictl's confirmations: y/N questions and free-text answers on a terminal. Without a
// terminal on stdin (scripts, CI) nothing is asked: the caller gets an error naming --force.
#include <string>

#include "core/result.h"

namespace pgha::ctl {

// true when `force`; else asks "question [y/N]: ". Error when stdin is not a terminal.
Result<bool> Confirm(const std::string& question, bool force);
// Asks "question [default]: " and returns the answer (or the default on an empty line).
Result<std::string> Ask(const std::string& question, const std::string& default_answer);
// Asks "question: " without echoing what is typed (a password).
Result<std::string> AskSecret(const std::string& question);

}  // namespace pgha::ctl
