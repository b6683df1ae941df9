// QPainter implementation of TimelinePainter. Kept cheap per call: boxes are plain fills (folded
// blocks get a darker band so they read as "many events here"), text is elided only when a label
// could plausibly fit, without antialiasing on rectangles.
#include "timeline/timeline_painter.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>
#include <cmath>

#include "timeline/timeline_palette.h"

namespace moeprof::gui {

QPainterTimelinePainter::QPainterTimelinePainter(QPainter* p) : p_(p) {
  font_ = p_->font();
  font_.setPointSizeF(std::max(7.0, font_.pointSizeF() * 0.85));
  bold_font_ = font_;
  bold_font_.setBold(true);
  p_->setFont(font_);
  char_w_ = std::max(1, QFontMetrics(font_).averageCharWidth());
  p_->setRenderHint(QPainter::Antialiasing, false);
}

void QPainterTimelinePainter::Box(const QRectF& r, const QColor& fill, const QString& label, bool folded,
                                  int count) {
  // Integer rectangles with a plain colour take the raster engine's solid-fill fast path; boxes
  // come on whole pixels anyway (counter bars round to the nearest pixel).
  const QRect ir(int(std::lround(r.x())), int(std::lround(r.y())), std::max(1, int(std::lround(r.width()))),
                 std::max(1, int(std::lround(r.height()))));
  p_->fillRect(ir, fill);
  if (folded && ir.width() >= 4 && ir.height() >= 6) {
    // A darker band across the middle marks a fold of many events (Tracy draws a zigzag; a band
    // is one more fill). Narrow folds skip it: at 1–3 px it would not read anyway.
    const int h = std::max(1, ir.height() / 4);
    if (fill.rgba() != band_for_) {
      band_for_ = fill.rgba();
      band_ = fill.darker(140);
    }
    p_->fillRect(QRect(ir.x(), ir.y() + (ir.height() - h) / 2, ir.width(), h), band_);
  }
  if (ir.width() < 3 * char_w_) return;
  QString text = label;
  if (text.isEmpty() && folded && count > 1) text = QString::number(count);
  if (text.isEmpty()) return;
  // Elide by the average character width instead of measuring (QFontMetrics::elidedText measures
  // repeatedly and dominated zoomed-in frames full of labels); the box clips the rare overflow.
  const int fit = (ir.width() - 4) / char_w_;
  if (fit < 2) return;
  if (text.size() > fit) text = text.left(fit - 1) + QChar(0x2026);
  p_->setPen(TimelinePalette::TextOn(fill));
  p_->drawText(ir.adjusted(2, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine, text);
}

void QPainterTimelinePainter::Fill(const QRectF& r, const QColor& c) { p_->fillRect(r, c); }

void QPainterTimelinePainter::Outline(const QRectF& r, const QColor& c, qreal width) {
  p_->setPen(QPen(c, width));
  p_->setBrush(Qt::NoBrush);
  p_->drawRect(r);
}

void QPainterTimelinePainter::Line(const QPointF& a, const QPointF& b, const QColor& c, qreal width) {
  p_->setPen(QPen(c, width));
  p_->drawLine(a, b);
}

void QPainterTimelinePainter::Arrow(const QPointF& from, const QPointF& to, const QColor& c) {
  p_->save();
  p_->setRenderHint(QPainter::Antialiasing, true);
  p_->setPen(QPen(c, 1.5));
  p_->drawLine(from, to);
  const double ang = std::atan2(to.y() - from.y(), to.x() - from.x());
  const double len = 8, spread = 0.45;
  QPolygonF head;
  head << to << QPointF(to.x() - len * std::cos(ang - spread), to.y() - len * std::sin(ang - spread))
       << QPointF(to.x() - len * std::cos(ang + spread), to.y() - len * std::sin(ang + spread));
  p_->setBrush(c);
  p_->drawPolygon(head);
  p_->restore();
}

void QPainterTimelinePainter::Text(const QRectF& r, const QString& text, const QColor& c, bool bold) {
  if (text.isEmpty() || r.width() < char_w_) return;
  const QFont& f = bold ? bold_font_ : font_;
  p_->setFont(f);
  p_->setPen(c);
  const QString el = QFontMetrics(f).elidedText(text, Qt::ElideRight, int(r.width()));
  p_->drawText(r, Qt::AlignVCenter | Qt::AlignLeft, el);
  if (bold) p_->setFont(font_);
}

}  // namespace moeprof::gui
