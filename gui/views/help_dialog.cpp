// Help dialog.
#include "views/help_dialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace moeprof::gui {

HelpDialog::HelpDialog(const QList<ShortcutHelp>& shortcuts, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Keyboard shortcuts"));
  auto* table = new QTableWidget(this);
  table->setColumnCount(3);
  table->setHorizontalHeaderLabels({tr("Keys"), tr("Action"), tr("Where")});
  table->setRowCount(static_cast<int>(shortcuts.size()));
  for (int i = 0; i < shortcuts.size(); ++i) {
    table->setItem(i, 0, new QTableWidgetItem(shortcuts[i].keys));
    table->setItem(i, 1, new QTableWidgetItem(shortcuts[i].what));
    table->setItem(i, 2, new QTableWidgetItem(shortcuts[i].section));
  }
  table->verticalHeader()->hide();
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->setSelectionMode(QAbstractItemView::NoSelection);
  table->resizeColumnsToContents();
  table->horizontalHeader()->setStretchLastSection(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("moeprof-gui keyboard and mouse controls"), this));
  layout->addWidget(table, 1);
  layout->addWidget(buttons);
  resize(620, 520);
}

}  // namespace moeprof::gui
