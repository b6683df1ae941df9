// Models without widgets: every item model passes QAbstractItemModelTester (including model
// resets and the expert-load step switch); the expert-load numbers on a constructed two-rank run
// with known tokens; findings filters and evidence ranges; event search and API ↔ kernel links.
#include <QAbstractItemModelTester>
#include <QtTest>

#include "gui_test_util.h"
#include "models/event_search.h"
#include "models/expert_load_model.h"
#include "models/findings_model.h"
#include "models/run_data.h"
#include "models/summary_models.h"

namespace moeprof::gui {

namespace {

// One rank's trace: a kernel (so the trace has GPU activity and a step) and routing rows.
schemas::Trace TraceWithRouting(int rank, const std::vector<schemas::RoutingRow>& rows) {
  schemas::Trace t;
  t.strings = {"", "gemm_kernel", "cudaLaunchKernel"};
  t.meta["rank"] = std::to_string(rank);
  schemas::StreamRow s;
  s.id = 1;
  t.streams.push_back(s);
  auto& k = t.kernels;
  k.stream = {1};
  k.start = {1000};
  k.dur = {500};
  k.correlation = {7};
  k.graph_node = {0};
  k.graph = {0};
  k.name = {1};
  k.config = {0};
  k.flags = {0};
  auto& a = t.api;
  a.correlation = {7};
  a.thread = {1};
  a.start = {900};
  a.dur = {50};
  a.domain = {0};
  a.cbid = {0};
  a.name = {2};
  a.status = {0};
  t.routing = rows;
  return t;
}

schemas::RoutingRow Row(int64_t step, int64_t layer, int64_t rank, int64_t expert, int64_t tokens) {
  schemas::RoutingRow r;
  r.step = step;
  r.layer = layer;
  r.microbatch = 0;
  r.rank = rank;
  r.expert = expert;
  r.tokens = tokens;
  return r;
}

// Two ranks, 2 steps, 2 layers, 4 experts (2 per EP rank). Step 0 layer 0: rank 0 routes
// 10/20/30/40, rank 1 routes 5 each → 15/25/35/45. Step 0 layer 1: rank 0 routes 1 each. Step 1
// layer 0: 100 tokens to expert 0 only. Rank 1's file repeats one of rank 0's rows (merged
// routing logs do): it must count once.
analyzer::Run ConstructedRun() {
  std::vector<schemas::RoutingRow> r0 = {Row(0, 0, 0, 0, 10), Row(0, 0, 0, 1, 20), Row(0, 0, 0, 2, 30),
                                         Row(0, 0, 0, 3, 40), Row(0, 1, 0, 0, 1),  Row(0, 1, 0, 1, 1),
                                         Row(0, 1, 0, 2, 1),  Row(0, 1, 0, 3, 1),  Row(1, 0, 0, 0, 100)};
  std::vector<schemas::RoutingRow> r1 = {Row(0, 0, 1, 0, 5), Row(0, 0, 1, 1, 5), Row(0, 0, 1, 2, 5),
                                         Row(0, 0, 1, 3, 5), Row(0, 0, 0, 0, 10)};
  analyzer::Run run;
  run.classifier = analyzer::Classifier::Builtin();
  int i = 0;
  for (auto* rows : {&r0, &r1}) {
    auto rt = analyzer::BuildRankTrace(TraceWithRouting(i, *rows), i, run.classifier, {});
    if (rt.ok()) run.ranks.push_back(std::move(*rt));
    ++i;
  }
  analyzer::AlignClocks(run.ranks);
  return run;
}

}  // namespace

class GuiModelsTest : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<const RunData> generated_;  // imbalance_l: 4 ranks, routing, findings

 private slots:
  void initTestCase() {
    const QString dir = testing::GenerateScenarioDir(QStringLiteral("models"), QStringLiteral("imbalance_l"));
    QVERIFY(!dir.isEmpty());
    auto data = LoadRunData({dir.toStdString()});
    QVERIFY2(data.ok(), data.status().message().c_str());
    generated_ = *data;
    QCOMPARE(generated_->run.ranks.size(), size_t{4});
    QVERIFY(!generated_->findings.empty());
    QCOMPARE(generated_->breakdowns.size(), size_t{4});
  }

  void expertLoadNumbers() {
    const analyzer::Run run = ConstructedRun();
    QCOMPARE(run.ranks.size(), size_t{2});
    const ExpertLoad load = ExpertLoad::FromRun(run);
    QCOMPARE(load.steps(), (std::vector<int64_t>{0, 1}));
    QCOMPARE(load.layers(), (std::vector<int64_t>{0, 1}));
    QCOMPARE(load.experts(), 4);
    QCOMPARE(load.ep_ranks(), 2);  // two reporting ranks
    QCOMPARE(load.experts_per_rank(), 2);
    QCOMPARE(load.RankOfExpert(1), 0);
    QCOMPARE(load.RankOfExpert(2), 1);
    QCOMPARE(load.Tokens(0, 0, 0), 15.0);  // 10 + 5; the repeated row counted once
    QCOMPARE(load.Tokens(0, 0, 3), 45.0);
    QCOMPARE(load.Tokens(0, 1, 2), 1.0);
    QCOMPARE(load.Tokens(1, 0, 0), 100.0);
    QCOMPARE(load.Tokens(1, 1, 0), 0.0);
    QCOMPARE(load.Tokens(-1, 0, 0), 57.5);  // mean of 15 and 100
    QCOMPARE(load.RankLoad(0), (std::vector<double>{42.0, 82.0}));
    QCOMPARE(load.RankLoad(1), (std::vector<double>{100.0, 0.0}));
    QCOMPARE(load.RankLoad(-1), (std::vector<double>{71.0, 41.0}));
    QVERIFY(qFuzzyCompare(load.RankRatio(0), 82.0 / 62.0));
    QCOMPARE(load.RankRatio(1), 2.0);
    QCOMPARE(load.MaxTokens(0), 45.0);
    QCOMPARE(load.PeakStepIndex(0, 0), 1);
    QCOMPARE(load.PeakStepIndex(0, 3), 0);

    const auto& worst = load.worst_steps();
    QCOMPARE(worst.size(), size_t{2});
    QCOMPARE(worst[0].step, int64_t{1});
    QCOMPARE(worst[0].ratio, 2.0);
    QCOMPARE(worst[0].hot_rank, 0);
    QCOMPARE(worst[0].max_tokens, int64_t{100});
    QCOMPARE(worst[1].step, int64_t{0});
    QCOMPARE(worst[1].hot_rank, 1);
    QCOMPARE(worst[1].worst_layer, int64_t{0});
    QVERIFY(qFuzzyCompare(worst[1].worst_layer_ratio, 80.0 / 60.0));

    ExpertLoadModel model;
    model.SetLoad(load);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.data(model.index(0, 3), Qt::UserRole).toDouble(), 22.5);  // mean of 45 and 0
    model.SetStepIndex(0);
    QCOMPARE(model.data(model.index(0, 3)).toString(), QStringLiteral("45"));
    // Colour: tokens / (2 × layer mean); layer 0 of step 0 has mean 30 per expert.
    QCOMPARE(model.data(model.index(0, 3), ExpertLoadModel::kLoadRole).toDouble(), 45.0 / 60.0);
    QCOMPARE(model.data(model.index(1, 0), ExpertLoadModel::kLoadRole).toDouble(), 0.5);  // balanced
    model.SetStepIndex(1);  // step 1, layer 0: 100 tokens on expert 0, mean 25 → clamped to 1
    QCOMPARE(model.data(model.index(0, 0), ExpertLoadModel::kLoadRole).toDouble(), 1.0);
    QCOMPARE(model.data(model.index(1, 0), ExpertLoadModel::kLoadRole).toDouble(), 0.0);  // no tokens
    model.SetStepIndex(0);
    QCOMPARE(model.headerData(1, Qt::Vertical, Qt::DisplayRole).toString(), QStringLiteral("layer 1"));
  }

  void expertLoadWithoutRouting() {
    analyzer::Run run;
    run.classifier = analyzer::Classifier::Builtin();
    auto rt = analyzer::BuildRankTrace(TraceWithRouting(0, {}), 0, run.classifier, {});
    QVERIFY(rt.ok());
    run.ranks.push_back(std::move(*rt));
    const ExpertLoad load = ExpertLoad::FromRun(run);
    QVERIFY(load.empty());
    QVERIFY(load.worst_steps().empty());
    ExpertLoadModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.SetLoad(load);
    QCOMPARE(model.rowCount(), 0);
    model.SetStepIndex(3);  // out of range: stays on the mean
    QCOMPARE(model.step_index(), -1);
  }

  void expertLoadOnGeneratedTrace() {
    const ExpertLoad load = ExpertLoad::FromRun(generated_->run);
    QVERIFY(!load.empty());
    QCOMPARE(load.ep_ranks(), 4);
    // The scenario is the "large" imbalance: rank load max/mean near 2.0 in its steps.
    QVERIFY2(load.worst_steps().front().ratio > 1.5, qPrintable(QString::number(load.worst_steps().front().ratio)));
  }

  void itemModelsPassTester() {
    FindingsModel findings;
    QAbstractItemModelTester t1(&findings, QAbstractItemModelTester::FailureReportingMode::QtTest);
    findings.SetData(generated_);
    FindingsFilterProxy fproxy;
    fproxy.setSourceModel(&findings);
    QAbstractItemModelTester t2(&fproxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    fproxy.sort(FindingsModel::kSaving, Qt::DescendingOrder);
    fproxy.SetMinSeverity(1);
    fproxy.SetRank(2);
    fproxy.SetRule(QStringLiteral("expert_imbalance"));
    fproxy.SetRule(QString());
    fproxy.SetRank(-1);
    fproxy.SetMinSeverity(0);
    QCOMPARE(fproxy.rowCount(), findings.rowCount());

    KernelTableModel kernels;
    QAbstractItemModelTester t3(&kernels, QAbstractItemModelTester::FailureReportingMode::QtTest);
    kernels.SetData(generated_);
    QVERIFY(kernels.rowCount() > 0);
    KernelFilterProxy kproxy;
    kproxy.setSourceModel(&kernels);
    QAbstractItemModelTester t4(&kproxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    kproxy.sort(KernelTableModel::kTotal, Qt::DescendingOrder);
    QVERIFY(kproxy.SetPattern(QStringLiteral("gemm")));
    QVERIFY(kproxy.rowCount() > 0);
    QVERIFY(kproxy.rowCount() < kernels.rowCount());
    QVERIFY(!kproxy.SetPattern(QStringLiteral("(unclosed")));
    QCOMPARE(kproxy.rowCount(), 0);  // invalid expression: nothing, not everything
    QVERIFY(kproxy.SetPattern(QString()));
    QCOMPARE(kproxy.rowCount(), kernels.rowCount());

    BreakdownModel breakdown;
    QAbstractItemModelTester t5(&breakdown, QAbstractItemModelTester::FailureReportingMode::QtTest);
    breakdown.SetData(generated_);
    QCOMPARE(breakdown.rowCount(), 4);

    ExpertLoadModel experts;
    QAbstractItemModelTester t6(&experts, QAbstractItemModelTester::FailureReportingMode::QtTest);
    experts.SetLoad(ExpertLoad::FromRun(generated_->run));
    QVERIFY(experts.rowCount() > 0);
    experts.SetStepIndex(0);
    experts.SetStepIndex(-1);

    // Clearing keeps the models valid too.
    findings.SetData(nullptr);
    kernels.SetData(nullptr);
    breakdown.SetData(nullptr);
    experts.SetLoad(ExpertLoad{});
    QCOMPARE(findings.rowCount(), 0);
  }

  void kernelTableTotals() {
    const auto stats = AggregateKernels(generated_->run);
    int64_t total = 0, count = 0;
    for (const auto& rt : generated_->run.ranks) {
      for (size_t i = 0; i < rt.trace.kernels.size(); ++i) total += rt.trace.kernels.dur[i];
      count += static_cast<int64_t>(rt.trace.kernels.size());
    }
    int64_t sum = 0, n = 0;
    for (const auto& s : stats) {
      sum += s.total_ns;
      n += s.count;
      QVERIFY(s.ranks >= 1 && s.ranks <= 4);
    }
    QCOMPARE(sum, total);
    QCOMPARE(n, count);
    for (size_t i = 1; i < stats.size(); ++i) QVERIFY(stats[i - 1].total_ns >= stats[i].total_ns);
  }

  void findingsFilters() {
    FindingsModel model;
    model.SetData(generated_);
    FindingsFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.SetRule(QStringLiteral("expert_imbalance"));
    QVERIFY(proxy.rowCount() > 0);
    for (int r = 0; r < proxy.rowCount(); ++r) {
      QCOMPARE(proxy.data(proxy.index(r, FindingsModel::kRule)).toString(), QStringLiteral("expert_imbalance"));
    }
    proxy.SetRule(QStringLiteral("no_such_rule"));
    QCOMPARE(proxy.rowCount(), 0);
    proxy.SetRule(QString());
    proxy.SetMinSeverity(2);
    for (int r = 0; r < proxy.rowCount(); ++r) {
      QCOMPARE(proxy.data(proxy.index(r, FindingsModel::kSeverity)).toString(), QStringLiteral("high"));
    }
    proxy.SetMinSeverity(0);
    proxy.SetRank(99);  // no finding names rank 99: only run-wide findings remain
    for (int r = 0; r < proxy.rowCount(); ++r) {
      const int row = proxy.mapToSource(proxy.index(r, 0)).row();
      QVERIFY(model.FindingAt(row)->ranks.empty());
    }
    // Sorting by saving (raw ns, not the formatted text).
    proxy.SetRank(-1);
    proxy.sort(FindingsModel::kSaving, Qt::DescendingOrder);
    for (int r = 1; r < proxy.rowCount(); ++r) {
      QVERIFY(proxy.data(proxy.index(r - 1, FindingsModel::kSaving), FindingsModel::kSortRole).toLongLong() >=
              proxy.data(proxy.index(r, FindingsModel::kSaving), FindingsModel::kSortRole).toLongLong());
    }
  }

  void evidenceRange() {
    analyzer::Finding f;
    f.evidence = {{1000, 2000}, {5000, 11000}};
    const auto r = EvidenceRange(*generated_, f, 0.1);
    QVERIFY(r.has_value());
    QCOMPARE(r->start, int64_t{0});  // 1000 - 10 % of 10000
    QCOMPARE(r->end, int64_t{12000});
    analyzer::Finding tiny;
    tiny.evidence = {{5000, 5000}};
    const auto t = EvidenceRange(*generated_, tiny, 0.1);
    QCOMPARE(t->start, int64_t{4000});  // at least 1 µs of context
    QCOMPARE(t->end, int64_t{6000});
    analyzer::Finding none;
    QVERIFY(!EvidenceRange(*generated_, none).has_value());
    // Events only: their kernel extents on the run timeline.
    const auto& rt = generated_->run.ranks[1];
    analyzer::Finding ev;
    ev.events.push_back({rt.rank, "kernel", rt.trace.kernels.stream[0], rt.trace.kernels.start[0],
                         rt.trace.kernels.correlation[0]});
    const auto e = EvidenceRange(*generated_, ev, 0.0);
    QVERIFY(e.has_value());
    const int64_t start = rt.trace.kernels.start[0] + rt.offset_ns;
    const int64_t pad = 1000;
    QCOMPARE(e->start, start - pad);
    QCOMPARE(e->end, start + rt.trace.kernels.dur[0] + pad);
  }

  void eventSearch() {
    EventSearch search;
    std::string error;
    QVERIFY(!search.Run(generated_->run, "(bad", &error));
    QVERIFY(!error.empty());
    QVERIFY(search.Run(generated_->run, "gemm"));
    QVERIFY(!search.hits().empty());
    for (size_t i = 1; i < search.hits().size(); ++i) {
      QVERIFY(search.hits()[i - 1].run_start <= search.hits()[i].run_start);
    }
    const SearchHit* first = search.Next();
    QVERIFY(first != nullptr);
    QCOMPARE(search.current(), 0);
    const SearchHit* last = search.Previous();  // wraps
    QCOMPARE(search.current(), static_cast<int>(search.hits().size()) - 1);
    QVERIFY(last->run_start >= first->run_start);
    // Starting from a time: the first hit at or after it.
    search.Run(generated_->run, "gemm");
    const int64_t mid = search.hits()[search.hits().size() / 2].run_start;
    const SearchHit* h = search.Next(mid);
    QVERIFY(h->run_start >= mid);
    QVERIFY(search.current() == 0 || search.hits()[static_cast<size_t>(search.current()) - 1].run_start < mid);
    QVERIFY(search.Run(generated_->run, "no-kernel-is-called-this"));
    QVERIFY(search.hits().empty());
    QVERIFY(search.Next() == nullptr);
  }

  void linkedEvents() {
    const auto& rt = generated_->run.ranks[0];
    const auto& k = rt.trace.kernels;
    // A kernel with a launching call: its API call, and back.
    for (size_t i = 0; i < k.size(); ++i) {
      analyzer::EventRef kernel{rt.rank, "kernel", k.stream[i], k.start[i], k.correlation[i]};
      const auto api = LinkedEvent(generated_->run, kernel);
      if (!api) continue;
      QCOMPARE(api->table, std::string("api"));
      QCOMPARE(api->correlation, k.correlation[i]);
      const auto back = LinkedEvent(generated_->run, *api);
      QVERIFY(back.has_value());
      QCOMPARE(back->correlation, k.correlation[i]);
      const auto range = EventRunRange(generated_->run, kernel);
      QVERIFY(range.has_value());
      QCOMPARE(range->length(), k.dur[i]);
      return;
    }
    QFAIL("no kernel with a launching API call in the generated trace");
  }

  void loadErrorsNameTheFile() {
    const QString bad = QStringLiteral(GUI_TEST_OUT_DIR "/not_a_trace.sqlite");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a trace");
    f.close();
    auto data = LoadRunData({bad.toStdString()});
    QVERIFY(!data.ok());
    QVERIFY2(QString::fromStdString(data.status().message()).contains(QStringLiteral("not_a_trace")),
             data.status().message().c_str());
    auto missing = LoadRunData({"/nonexistent/dir/trace.sqlite"});
    QVERIFY(!missing.ok());
    std::atomic<bool> cancel{true};
    auto cancelled = LoadRunData({generated_->inputs.front()}, &cancel);
    QVERIFY(!cancelled.ok());
    QCOMPARE(cancelled.status().message(), std::string("cancelled"));
  }
};

}  // namespace moeprof::gui

QTEST_MAIN(moeprof::gui::GuiModelsTest)
#include "gui_models_test.moc"
