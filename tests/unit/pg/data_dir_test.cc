#include "pg/data_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace pgha::pg {
namespace {

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgha-datadir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    data_ = root_ + "/data";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_, data_;
};

TEST_F(DataDirTest, AbsentOrOnlyLostFoundIsEmpty) {
  EXPECT_TRUE(DataDirEntries(data_).empty());
  fs::create_directories(data_ + "/lost+found");
  EXPECT_TRUE(DataDirEntries(data_).empty());
  std::ofstream(data_ + "/notes.txt") << "mine";
  EXPECT_EQ(DataDirEntries(data_), std::vector<std::string>{"notes.txt"});
}

TEST_F(DataDirTest, MakingRoomCreatesAnAbsentDirectory) {
  std::string moved;
  ASSERT_TRUE(MakeRoomForNewCluster(data_, &moved).ok());
  EXPECT_TRUE(fs::is_directory(data_));
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(fs::status(data_).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(DataDirTest, MakingRoomMovesForeignFilesAsideNeverDeletesThem) {
  fs::create_directories(data_);
  std::ofstream(data_ + "/notes.txt") << "mine";
  std::string moved;
  ASSERT_TRUE(MakeRoomForNewCluster(data_, &moved).ok());
  EXPECT_TRUE(DataDirEntries(data_).empty());
  ASSERT_FALSE(moved.empty());
  EXPECT_EQ(moved.rfind(data_ + ".failed-", 0), 0u) << moved;
  std::ifstream kept(moved + "/notes.txt");
  std::string text;
  kept >> text;
  EXPECT_EQ(text, "mine");
}

// Repeated failures keep only the newest moved-aside copy: every copy at once filled the fault
// suite's disks and no clone could follow. Other siblings (a clone in progress) are left alone.
TEST_F(DataDirTest, MovingAsideKeepsOnlyTheNewestCopy) {
  for (const char* d : {"/data", "/data.failed-100", "/data.failed-200", "/data.pgha-clone",
                        "/database.failed-1"}) {
    fs::create_directories(root_ + d);
    std::ofstream(root_ + d + "/PG_VERSION") << "15\n";
  }
  fs::create_directories(root_ + "/data.failed-50");  // an operator's files, no cluster: kept
  std::ofstream(root_ + "/data.failed-50/notes.txt") << "mine";
  auto moved = MoveDataDirAside(data_);
  ASSERT_TRUE(moved.ok()) << moved.message();
  EXPECT_TRUE(fs::exists(*moved + "/PG_VERSION"));
  EXPECT_FALSE(fs::exists(root_ + "/data.failed-100"));
  EXPECT_FALSE(fs::exists(root_ + "/data.failed-200"));
  EXPECT_TRUE(fs::exists(root_ + "/data.pgha-clone/PG_VERSION"));
  EXPECT_TRUE(fs::exists(root_ + "/database.failed-1/PG_VERSION"));
  EXPECT_TRUE(fs::exists(root_ + "/data.failed-50/notes.txt"));
  EXPECT_TRUE(fs::is_empty(data_));
}

TEST_F(DataDirTest, ClonesAreStagedBesideTheDataDirectory) {
  fs::create_directories(data_);
  EXPECT_EQ(CloneStagingDir(data_), data_ + ".pgha-clone");
  EXPECT_FALSE(IsMountPoint(data_));
  EXPECT_TRUE(IsMountPoint("/"));
}

TEST_F(DataDirTest, AMountPointIsNeverRenamed) {
  auto moved = MoveDataDirAside("/proc");  // a mount point on every Linux machine
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(moved.message().find("mount point"), std::string::npos) << moved.message();
  EXPECT_EQ(CloneStagingDir("/proc"), "/proc");
}

}  // namespace
}  // namespace pgha::pg

namespace pgha::pg {
namespace {

TEST_F(DataDirTest, AStalePostmasterPidIsRemovedALiveOneKept) {
  fs::create_directories(data_);
  std::ofstream(data_ + "/postmaster.pid") << getpid() << "\n" << data_ << "\n";
  EXPECT_FALSE(RemoveStalePostmasterPid(data_)) << "this test process is alive";
  EXPECT_TRUE(fs::exists(data_ + "/postmaster.pid"));
  std::ofstream(data_ + "/postmaster.pid") << 4194303 << "\n";  // above every pid_max default
  EXPECT_TRUE(RemoveStalePostmasterPid(data_));
  EXPECT_FALSE(fs::exists(data_ + "/postmaster.pid"));
}

TEST_F(DataDirTest, APidFileIsKeptWhileAProcessStillWorksInTheDirectory) {
  fs::create_directories(data_);
  std::ofstream(data_ + "/postmaster.pid") << 4194303 << "\n";
  auto cwd = fs::current_path();
  fs::current_path(data_);  // this process now looks like a leftover backend
  EXPECT_TRUE(AnyProcessWorkingIn(data_));
  EXPECT_FALSE(RemoveStalePostmasterPid(data_));
  fs::current_path(cwd);
  EXPECT_FALSE(AnyProcessWorkingIn(data_));
}

}  // namespace
}  // namespace pgha::pg
