#include "core/train/resnet.h"

#include <QTest>

using namespace winnow::core;

class ResNetTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hasTheCifarResNet18ParameterCount();
    void acceptsAnyChannelCountAndGivesEmbeddings_data();
    void acceptsAnyChannelCountAndGivesEmbeddings();
    void learnsATinySeparableProblem();
};

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
