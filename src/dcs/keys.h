#pragma once
// Patroni's key layout: /<namespace>/<scope>/{initialize,config,leader,members/<name>,status,
// history,failover,sync,failsafe}, and pgha's pgha_timeline.
#include <string>

namespace pgha::dcs {

class Keys {
 public:
  Keys(std::string namespace_, const std::string& scope);
  const std::string& prefix() const { return prefix_; }  // "/service/demo/"
  std::string initialize() const { return prefix_ + "initialize"; }
  std::string config() const { return prefix_ + "config"; }
  std::string leader() const { return prefix_ + "leader"; }
  std::string members() const { return prefix_ + "members/"; }
  std::string member(const std::string& name) const { return members() + name; }
  std::string status() const { return prefix_ + "status"; }
  std::string history() const { return prefix_ + "history"; }
  std::string failover() const { return prefix_ + "failover"; }
  std::string sync() const { return prefix_ + "sync"; }
  std::string failsafe() const { return prefix_ + "failsafe"; }
  // pgha's only key of its own (Patroni ignores keys it does not know): ha::TimelineClaim.
  std::string timeline_claim() const { return prefix_ + "pgha_timeline"; }

 private:
  std::string prefix_;
};

}  // namespace pgha::dcs
