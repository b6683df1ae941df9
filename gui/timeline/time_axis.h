// TimeAxis: the time ↔ pixel mapping of the timeline (run-timeline int64 ns ↔ double pixels) with
// zoom about a point, pan, fit and clamping to the run's extent, and the ruler's ticks (1-2-5
// steps in ns/µs/ms/s). Plain C++ so the model tests and the benchmark need no widgets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace moeprof::gui {

struct Tick {
  int64_t t = 0;      // run-timeline ns
  double x = 0;       // pixel
  bool major = false; // labelled
  std::string label;  // "" for minor ticks
};

class TimeAxis {
 public:
  // Narrowest window: 20 ns over the width (sub-ns pixels are meaningless for int64 ns rows).
  static constexpr double kMinWindowNs = 20.0;

  void SetWidth(int px);
  int width() const { return width_; }

  // The extent zoom/pan stay within (the run's span, padded by the caller as it likes).
  // An empty or inverted domain disables clamping.
  void SetDomain(int64_t start_ns, int64_t end_ns);
  int64_t domain_start() const { return domain_start_; }
  int64_t domain_end() const { return domain_end_; }

  // Visible window [start, end) in ns; SetRange clamps to the domain and the zoom limits.
  void SetRange(double start_ns, double end_ns);
  void FitDomain() { SetRange(double(domain_start_), double(domain_end_)); }
  double start() const { return start_; }
  double end() const { return start_ + ns_per_px_ * width_; }
  double ns_per_px() const { return ns_per_px_; }

  double ToPx(double t_ns) const { return (t_ns - start_) / ns_per_px_; }
  double ToNs(double px) const { return start_ + px * ns_per_px_; }

  // factor > 1 zooms in (the window shrinks by `factor`), keeping the time under `px` fixed.
  void ZoomAbout(double px, double factor);
  // Moves the view by `dpx` pixels (positive: later times come into view).
  void PanPx(double dpx);

  // Ticks for the ruler: a 1-2-5 step with at least `min_spacing_px` between ticks; every
  // `major_every`-th step is major (labelled), the label in the unit that fits the step.
  std::vector<Tick> Ticks(double min_spacing_px = 12.0, int major_every = 5) const;

  // 1-2-5 step (ns) that is at least `min_ns`.
  static int64_t NiceStep(double min_ns);
  // "1.5 ms", "250 ns", "12.345 s": `t` in the unit that fits `step`, with as many decimals as
  // the step needs.
  static std::string FormatTime(int64_t t_ns, int64_t step_ns);
  // A duration for tooltips: 3 significant digits ("12.3 µs").
  static std::string FormatDuration(int64_t dur_ns);

 private:
  void Clamp();
  int width_ = 1000;
  int64_t domain_start_ = 0, domain_end_ = 0;
  double start_ = 0, ns_per_px_ = 1.0;
};

}  // namespace moeprof::gui
