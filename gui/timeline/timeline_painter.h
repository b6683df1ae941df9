// TimelinePainter: everything the timeline draws goes through this interface, so a test can
// record what would be painted (RecordingPainter) and the widget and the screenshot mode paint
// with QPainter (QPainterTimelinePainter). QtGui only.
#pragma once

#include <QColor>
#include <QFont>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <vector>

class QPainter;

namespace moeprof::gui {

class TimelinePainter {
 public:
  virtual ~TimelinePainter() = default;
  // An event box or a folded block of `count` sub-pixel events. `label` may be empty (box too
  // narrow for text); the painter elides it to the box.
  virtual void Box(const QRectF& r, const QColor& fill, const QString& label, bool folded, int count) = 0;
  // Plain fills: row backgrounds, header cells, the ruler, counter bars.
  virtual void Fill(const QRectF& r, const QColor& c) = 0;
  // A frame around a box: highlighted findings' events, the selection, the zoom box.
  virtual void Outline(const QRectF& r, const QColor& c, qreal width) = 0;
  virtual void Line(const QPointF& a, const QPointF& b, const QColor& c, qreal width) = 0;
  // The API call → kernel link of the selected event.
  virtual void Arrow(const QPointF& from, const QPointF& to, const QColor& c) = 0;
  // Text left-aligned and vertically centred in `r`, elided to its width; `bold` for headers.
  virtual void Text(const QRectF& r, const QString& text, const QColor& c, bool bold = false) = 0;
};

// Paints with a QPainter (widget, QImage for screenshots and the benchmark).
class QPainterTimelinePainter : public TimelinePainter {
 public:
  explicit QPainterTimelinePainter(QPainter* p);
  void Box(const QRectF& r, const QColor& fill, const QString& label, bool folded, int count) override;
  void Fill(const QRectF& r, const QColor& c) override;
  void Outline(const QRectF& r, const QColor& c, qreal width) override;
  void Line(const QPointF& a, const QPointF& b, const QColor& c, qreal width) override;
  void Arrow(const QPointF& from, const QPointF& to, const QColor& c) override;
  void Text(const QRectF& r, const QString& text, const QColor& c, bool bold = false) override;

 private:
  QPainter* p_;
  QFont font_, bold_font_;
  int char_w_ = 6;  // average character width, to skip text that cannot fit without measuring
  QRgb band_for_ = 0;  // the fold band's colour for the last fill colour (darker() is not free)
  QColor band_;
};

// Records every call (tests).
class RecordingPainter : public TimelinePainter {
 public:
  struct BoxCall { QRectF r; QColor fill; QString label; bool folded; int count; };
  struct FillCall { QRectF r; QColor c; };
  struct OutlineCall { QRectF r; QColor c; qreal width; };
  struct LineCall { QPointF a, b; QColor c; qreal width; };
  struct ArrowCall { QPointF from, to; QColor c; };
  struct TextCall { QRectF r; QString text; QColor c; bool bold; };

  void Box(const QRectF& r, const QColor& fill, const QString& label, bool folded, int count) override {
    boxes.push_back({r, fill, label, folded, count});
  }
  void Fill(const QRectF& r, const QColor& c) override { fills.push_back({r, c}); }
  void Outline(const QRectF& r, const QColor& c, qreal width) override { outlines.push_back({r, c, width}); }
  void Line(const QPointF& a, const QPointF& b, const QColor& c, qreal width) override {
    lines.push_back({a, b, c, width});
  }
  void Arrow(const QPointF& from, const QPointF& to, const QColor& c) override { arrows.push_back({from, to, c}); }
  void Text(const QRectF& r, const QString& text, const QColor& c, bool bold) override {
    texts.push_back({r, text, c, bold});
  }
  void Clear() { *this = RecordingPainter(); }

  std::vector<BoxCall> boxes;
  std::vector<FillCall> fills;
  std::vector<OutlineCall> outlines;
  std::vector<LineCall> lines;
  std::vector<ArrowCall> arrows;
  std::vector<TextCall> texts;
};

}  // namespace moeprof::gui
