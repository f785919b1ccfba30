// Collections and their lanes: concurrent requests get separate connections up to the
// limit, a write through one lane is seen by searches on another, and deleting a
// collection waits for the requests holding it.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "server/collections.h"
#include "sync_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

using server::Collections;

Document Paper(const std::string& title) {
  Document d;
  d.title = title;
  d.abstract = "An abstract about " + title + ".";
  return d;
}

TEST(ServerCollections, LanesAreSeparateUpToTheLimitAndShareTheFile) {
  const std::string dir = testing::TempDir() + "/lanes";
  std::filesystem::remove_all(dir);
  Collections all(dir, nullptr, nullptr, /*max_lanes=*/2);
  auto c = all.Get("papers", /*create=*/true);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto a = (*c)->Acquire();
  auto b = (*c)->Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(&a->corpus(), &b->corpus());
  ASSERT_TRUE(a->corpus().Add({Paper("sodium-ion cathodes")}, nullptr).ok());
  std::vector<SearchHit> hits;
  SearchReport report;
  SearchOptions o;
  ASSERT_TRUE(b->searcher().Search("sodium cathodes", o, &hits, &report).ok());
  ASSERT_EQ(hits.size(), 1u);  // written on one connection, found through the other
  // A third request waits for a free lane: it reaches the wait (the hook says so)
  // instead of opening a third connection, and gets a lane once one is released.
  testing::Event waiting;
  (*c)->SetWaitHookForTesting([&] { waiting.Fire(); });
  std::atomic<bool> got{false};
  std::thread third([&] {
    auto t = (*c)->Acquire();
    EXPECT_TRUE(t.ok());
    got = true;
  });
  EXPECT_TRUE(waiting.Wait(60)) << "the third request never waited";
  EXPECT_FALSE(got.load()) << "a third lane was opened past the limit";
  (*c)->SetWaitHookForTesting(nullptr);
  { auto released = std::move(a.value()); }
  third.join();
  EXPECT_TRUE(got.load());
}

TEST(ServerCollections, RemoveWaitsForRequestsThenRefusesNewOnes) {
  const std::string dir = testing::TempDir() + "/remove";
  std::filesystem::remove_all(dir);
  Collections all(dir, nullptr, nullptr);
  auto c = all.Get("old", /*create=*/true);
  ASSERT_TRUE(c.ok());
  std::shared_ptr<server::Collection> held = c.value();
  auto lane = held->Acquire();
  ASSERT_TRUE(lane.ok());
  testing::Event waiting;
  held->SetWaitHookForTesting([&] { waiting.Fire(); });
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    EXPECT_TRUE(all.Remove("old").ok());
    removed = true;
  });
  EXPECT_TRUE(waiting.Wait(60)) << "Remove never waited for the lane in use";
  EXPECT_FALSE(removed.load()) << "deleted while a request was using it";
  ASSERT_TRUE(lane->corpus().Add({Paper("last write")}, nullptr).ok());
  { auto done = std::move(lane.value()); }
  remover.join();
  EXPECT_FALSE(std::filesystem::exists(dir + "/old.db"));
  EXPECT_EQ(held->Acquire().status().code(), Status::Code::kNotFound);
  EXPECT_EQ(all.Get("old", /*create=*/false).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(all.Remove("old").code(), Status::Code::kNotFound);
  EXPECT_EQ(all.Get("../etc", true).status().code(), Status::Code::kInvalidArgument);
}

TEST(ServerCollections, FilesGivenAtStartAreNotDeletable) {
  const std::string path = testing::TempDir() + "/pinned.db";
  std::filesystem::remove(path);
  Collections all("", nullptr, nullptr);
  ASSERT_TRUE(all.AddFile("default", path).ok());
  EXPECT_EQ(all.Remove("default").code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(all.Get("default", false).ok());
  EXPECT_EQ(all.Get("other", true).status().code(), Status::Code::kNotFound);  // no data dir: nothing is created
  EXPECT_EQ(all.Names(), std::vector<std::string>{"default"});
}

}  // namespace
}  // namespace litrank
