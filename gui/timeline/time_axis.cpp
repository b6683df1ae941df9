// TimeAxis: mapping, zoom/pan clamping and ruler ticks (see time_axis.h).
#include "timeline/time_axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace moeprof::gui {

void TimeAxis::SetWidth(int px) {
  // Keep the visible window when the widget is resized: the time span stays, pixels rescale.
  const double span = ns_per_px_ * width_;
  width_ = std::max(1, px);
  ns_per_px_ = span / width_;
  Clamp();
}

void TimeAxis::SetDomain(int64_t start_ns, int64_t end_ns) {
  domain_start_ = start_ns;
  domain_end_ = end_ns;
  Clamp();
}

void TimeAxis::SetRange(double start_ns, double end_ns) {
  if (!(end_ns > start_ns)) end_ns = start_ns + kMinWindowNs;  // also catches NaN
  start_ = start_ns;
  ns_per_px_ = (end_ns - start_ns) / width_;
  Clamp();
}

void TimeAxis::ZoomAbout(double px, double factor) {
  if (!(factor > 0)) return;
  const double t = ToNs(px);
  double nspp = ns_per_px_ / factor;
  nspp = std::max(nspp, kMinWindowNs / width_);
  start_ = t - px * nspp;
  ns_per_px_ = nspp;
  Clamp();
}

void TimeAxis::PanPx(double dpx) {
  start_ += dpx * ns_per_px_;
  Clamp();
}

void TimeAxis::Clamp() {
  ns_per_px_ = std::max(ns_per_px_, kMinWindowNs / width_);
  if (!std::isfinite(start_)) start_ = double(domain_start_);
  if (domain_end_ <= domain_start_) return;
  // Zooming out stops at the whole domain plus a margin of 5 % each side, so the ends of the run
  // can be seen against empty space but the run never shrinks to a sliver.
  const double dom = double(domain_end_ - domain_start_);
  const double margin = dom * 0.05;
  const double max_span = dom + 2 * margin;
  if (ns_per_px_ * width_ > max_span) ns_per_px_ = max_span / width_;
  const double span = ns_per_px_ * width_;
  const double lo = double(domain_start_) - margin, hi = double(domain_end_) + margin;
  if (start_ < lo) start_ = lo;
  if (start_ + span > hi) start_ = hi - span;
}

int64_t TimeAxis::NiceStep(double min_ns) {
  if (!(min_ns > 1)) return 1;
  int64_t decade = 1;
  while (decade * 10 <= int64_t(min_ns) && decade < int64_t(1e17)) decade *= 10;
  for (int64_t m : {1, 2, 5, 10}) {
    if (double(decade * m) >= min_ns) return decade * m;
  }
  return decade * 10;
}

std::string TimeAxis::FormatTime(int64_t t_ns, int64_t step_ns) {
  struct Unit { int64_t ns; const char* name; };
  static const Unit kUnits[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "µs"}, {1, "ns"}};
  // The largest unit the step is at least a tenth of: a 500 µs step labels "1.5 ms", a 50 µs
  // step "150 µs" — at most one decimal per step of the 1-2-5 series.
  const Unit* u = &kUnits[3];
  for (const Unit& c : kUnits) {
    if (step_ns * 10 >= c.ns) { u = &c; break; }
  }
  // Decimals needed to show multiples of the step exactly in unit u (a 500 ns step in µs: 1).
  int decimals = 0;
  for (int64_t scale = u->ns; scale > 1 && step_ns % scale != 0; scale /= 10) ++decimals;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", decimals, double(t_ns) / double(u->ns), u->name);
  return buf;
}

std::string TimeAxis::FormatDuration(int64_t dur_ns) {
  char buf[64];
  const double d = double(dur_ns);
  const double a = std::fabs(d);
  if (a < 1e3) std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(dur_ns));
  else if (a < 1e6) std::snprintf(buf, sizeof buf, "%.3g µs", d / 1e3);
  else if (a < 1e9) std::snprintf(buf, sizeof buf, "%.3g ms", d / 1e6);
  else std::snprintf(buf, sizeof buf, "%.4g s", d / 1e9);
  return buf;
}

std::vector<Tick> TimeAxis::Ticks(double min_spacing_px, int major_every) const {
  std::vector<Tick> out;
  const int64_t step = NiceStep(min_spacing_px * ns_per_px_);
  // Majors at multiples of a 1-2-5 step ≥ step·major_every, so labels never crowd either.
  const int64_t major = NiceStep(double(step) * std::max(1, major_every));
  const double t0 = start_, t1 = end();
  int64_t t = int64_t(std::floor(t0 / double(step))) * step;
  for (int guard = 0; double(t) <= t1 && guard < 100000; t += step, ++guard) {
    if (double(t) < t0) continue;
    Tick k;
    k.t = t;
    k.x = ToPx(double(t));
    k.major = (t % major) == 0;
    if (k.major) k.label = FormatTime(t, major);
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace moeprof::gui
