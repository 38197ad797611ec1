#include "core/train/initweights.h"
#include "core/train/resnet.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow::core;

class ResNetTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hasTheCifarResNet18ParameterCount();
    void acceptsAnyChannelCountAndGivesEmbeddings_data();
    void acceptsAnyChannelCountAndGivesEmbeddings();
    void learnsATinySeparableProblem();
    void loadsATorchvisionStateDictWithAnotherHead();
    void refusesWeightsOfAnotherWidth();
};

namespace {

// This network's parameter and buffer names as torchvision's resnet18 spells them.
std::string torchvisionName(const std::string &name) {
    static const QRegularExpression layer(QStringLiteral("^layers\\.(\\d)\\.(.*)$"));
    QString text = QString::fromStdString(name);
    if (const auto match = layer.match(text); match.hasMatch()) {
        const int index = match.captured(1).toInt();
        text = QStringLiteral("layer%1.%2.%3")
                   .arg(index / 2 + 1)
                   .arg(index % 2)
                   .arg(match.captured(2));
        text.replace(QStringLiteral(".shortcut."), QStringLiteral(".downsample."));
    }
    return text.toStdString();
}

} // namespace

// What `torch.save(dict(torchvision.models.resnet18().state_dict()), path)` writes: torchvision
// names, a 7x7 stem and a 1000-class head. Its body loads; the stem's centre is taken; the head
// stays as initialised.
void ResNetTest::loadsATorchvisionStateDictWithAnotherHead() {
    torch::manual_seed(3);
    ResNet18 source(3, 1000, 8);
    c10::Dict<std::string, torch::Tensor> dict;
    for (const auto &p : source->named_parameters())
        dict.insert(torchvisionName(p.key()), p.value().detach().clone());
    for (const auto &b : source->named_buffers())
        dict.insert(torchvisionName(b.key()), b.value().clone());
    const torch::Tensor stem = torch::randn({8, 3, 7, 7});
    dict.insert_or_assign("conv1.weight", stem);
    QVERIFY(dict.contains("layer2.0.downsample.0.weight"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("resnet18.pt"));
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes.data(), qint64(bytes.size()));
    file.close();

    torch::manual_seed(4);
    ResNet18 target(3, 5, 8);
    const torch::Tensor headBefore = target->head()->weight.detach().clone();
    const WeightTransfer transfer = transferWeights(target, readWeights(path));
    QCOMPARE(transfer.adapted, 1); // the stem
    QCOMPARE(transfer.replaced,
             QStringList({QStringLiteral("fc.weight"), QStringLiteral("fc.bias")}));
    const auto params = target->named_parameters();
    QVERIFY(torch::equal(params["conv1.weight"], stem.slice(2, 2, 5).slice(3, 2, 5)));
    QVERIFY(torch::equal(params["layers.2.shortcut.0.weight"],
                         dict.at("layer2.0.downsample.0.weight")));
    QVERIFY(torch::equal(target->named_buffers()["layers.7.bn2.running_var"],
                         dict.at("layer4.1.bn2.running_var")));
    QVERIFY(torch::equal(target->head()->weight, headBefore));

    // Grey input takes the stem summed over its colours.
    ResNet18 grey(1, 5, 8);
    QCOMPARE(transferWeights(grey, readWeights(path)).adapted, 1);
    QVERIFY(torch::allclose(grey->named_parameters()["conv1.weight"],
                            stem.slice(2, 2, 5).slice(3, 2, 5).sum(1, true)));
}

void ResNetTest::refusesWeightsOfAnotherWidth() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("wide.pt"));
    ResNet18 wide(3, 10, 16);
    torch::save(wide, path.toStdString());
    ResNet18 narrow(3, 10, 8);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, transferWeights(narrow, readWeights(path)));
    ResNet18 same(3, 10, 16);
    QCOMPARE(transferWeights(same, readWeights(path)).copied,
             int(same->named_parameters().size() + same->named_buffers().size()));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             readWeights(dir.filePath(QStringLiteral("missing.pt"))));
    QFile junk(dir.filePath(QStringLiteral("junk.pt")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not weights");
    junk.close();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, readWeights(junk.fileName()));
}

void ResNetTest::hasTheCifarResNet18ParameterCount() {
    ResNet18 model(3, 10, 64);
    std::int64_t count = 0;
    for (const torch::Tensor &p : model->parameters())
        count += p.numel();
    // The CIFAR ResNet-18 of CORDS (torchvision's with a 3x3 stem, no max-pool): 11,173,962.
    QCOMPARE(count, std::int64_t(11173962));
    QCOMPARE(model->embeddingSize(), std::int64_t(512));
}

void ResNetTest::acceptsAnyChannelCountAndGivesEmbeddings_data() {
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("side");
    QTest::newRow("grey 28x28") << 1 << 28;
    QTest::newRow("colour 32x32") << 3 << 32;
    QTest::newRow("rgba 20x20") << 4 << 20;
}

void ResNetTest::acceptsAnyChannelCountAndGivesEmbeddings() {
    QFETCH(int, channels);
    QFETCH(int, side);
    torch::manual_seed(1);
    ResNet18 model(channels, 7, 8);
    model->eval();
    torch::NoGradGuard noGrad;
    const auto [embedding, logits] =
        model->forwardWithEmbedding(torch::randn({5, channels, side, side}));
    QCOMPARE(embedding.sizes().vec(), (std::vector<std::int64_t>{5, 64}));
    QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{5, 7}));
    // The head applied to the embedding is the logits.
    QVERIFY(torch::allclose(model->head()(embedding), logits));
}

void ResNetTest::learnsATinySeparableProblem() {
    // Two classes told apart by which half of the image is bright; a narrow network learns it
    // in a few steps.
    torch::manual_seed(3);
    const std::int64_t n = 64;
    torch::Tensor images = torch::rand({n, 1, 12, 12}) * 0.2;
    torch::Tensor labels = torch::randint(2, {n}, torch::kLong);
    for (std::int64_t i = 0; i < n; ++i) {
        if (labels[i].item<std::int64_t>() == 0)
            images[i].narrow(2, 0, 6) += 0.8;
        else
            images[i].narrow(2, 6, 6) += 0.8;
    }
    ResNet18 model(1, 2, 4);
    torch::optim::SGD optimizer(
        model->parameters(),
        torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
    for (int step = 0; step < 40; ++step) {
        optimizer.zero_grad();
        torch::nn::functional::cross_entropy(model->forward(images), labels).backward();
        optimizer.step();
    }
    model->eval();
    torch::NoGradGuard noGrad;
    const double accuracy =
        model->forward(images).argmax(1).eq(labels).to(torch::kDouble).mean().item<double>();
    QVERIFY2(accuracy > 0.9, qPrintable(QString::number(accuracy)));
}

QTEST_APPLESS_MAIN(ResNetTest)
#include "resnet_test.moc"
