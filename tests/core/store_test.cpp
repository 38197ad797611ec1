#include <QTest>
class StoreTest : public QObject { Q_OBJECT };
QTEST_APPLESS_MAIN(StoreTest)
#include "store_test.moc"
