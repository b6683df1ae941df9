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
  p_->fillRect(r, fill);
  if (folded) {
    // A darker band across the middle marks a fold (Tracy draws a zigzag; a band is one fill).
    const qreal h = std::max<qreal>(1.0, r.height() / 4);
    p_->fillRect(QRectF(r.left(), r.center().y() - h / 2, r.width(), h), fill.darker(140));
  }
  if (r.width() >= 3 * char_w_) {
    QString text = label;
    if (text.isEmpty() && folded && count > 1) text = QString::number(count);
    if (text.isEmpty()) return;
    const QFontMetrics fm(font_);
    const QString el = fm.elidedText(text, Qt::ElideRight, int(r.width()) - 4);
    if (el.isEmpty() || el == QStringLiteral("…")) return;
    p_->setPen(TimelinePalette::TextOn(fill));
    p_->drawText(r.adjusted(2, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, el);
  }
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
