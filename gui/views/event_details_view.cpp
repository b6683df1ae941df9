// Event details widget.
#include "views/event_details_view.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace moeprof::gui {

EventDetailsView::EventDetailsView(QWidget* parent)
    : QWidget(parent), title_(new QLabel(this)), text_(new QPlainTextEdit(this)), jump_(new QPushButton(this)) {
  text_->setReadOnly(true);
  text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
  text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  jump_->setToolTip(tr("Select the API call that launched this kernel, or the kernel this call launched (J)"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(title_);
  layout->addWidget(text_, 1);
  layout->addWidget(jump_);
  connect(jump_, &QPushButton::clicked, this, &EventDetailsView::jumpRequested);
  Clear();
}

void EventDetailsView::SetEvent(const QString& title, const QString& text, const QString& link_label) {
  title_->setText(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()));
  text_->setPlainText(text);
  jump_->setEnabled(!link_label.isEmpty());
  jump_->setText(link_label.isEmpty() ? tr("No linked API call / kernel") : link_label);
}

void EventDetailsView::Clear() {
  title_->setText(tr("No event selected"));
  text_->setPlainText(tr("Click an event on the timeline to see all its fields, its NVTX parents and "
                         "the API call or kernel it is linked to."));
  jump_->setEnabled(false);
  jump_->setText(tr("Jump to API call / kernel"));
}

QString EventDetailsView::text() const { return text_->toPlainText(); }

}  // namespace moeprof::gui
