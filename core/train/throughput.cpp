// How fast this machine trains the ResNet-18, and whether it computes bfloat16 natively.

#include "core/train/resnet.h"
#include "core/train/tensordata.h"
#include "core/train/trainer.h"

#include <QElapsedTimer>
#include <QThread>

namespace winnow::core {

namespace {

// Multiply-adds of one forward pass of the CIFAR ResNet-18 at the given shape.
double forwardMacs(int width, int channels, int size, int classes) {
    double macs = double(channels) * width * 9 * size * size; // stem
    int in = width, spatial = size;
    for (int stage = 0; stage < 4; ++stage) {
        const int out = width << stage;
        const int stride = stage == 0 ? 1 : 2;
        const int next = (spatial + stride - 1) / stride;
        macs +=
            double(in) * out * 9 * next * next + double(out) * out * 9 * next * next; // first block
        if (stride != 1 || in != out)
            macs += double(in) * out * next * next; // 1x1 shortcut
        macs += 2.0 * out * out * 9 * next * next;  // second block
        in = out;
        spatial = next;
    }
    return macs + double(in) * classes;
}

} // namespace

Result<Throughput> measureThroughput(int width, int batchSize, int channels, int size, int steps,
                                     bool channelsLast, bool bfloat16, int threads) {
    return attempt([&] {
        torch::set_num_threads(threads > 0 ? threads : QThread::idealThreadCount());
        constexpr int kClasses = 10;
        torch::manual_seed(0);
        ResNet18 model(channels, kClasses, width);
        if (channelsLast)
            for (torch::Tensor &p : model->parameters())
                if (p.dim() == 4)
                    p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
        torch::optim::SGD optimizer(
            model->parameters(),
            torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
        torch::Tensor x = torch::randn({batchSize, channels, size, size});
        if (channelsLast)
            x = x.contiguous(torch::MemoryFormat::ChannelsLast);
        const torch::Tensor y = torch::randint(0, kClasses, {batchSize}, torch::kLong);
        if (bfloat16)
            at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        Throughput result;
        QElapsedTimer timer;
        for (int step = -1; step < steps; ++step) { // one warm-up step
            if (step == 0)
                timer.start();
            optimizer.zero_grad();
            torch::Tensor logits;
            {
                const Autocast autocast(bfloat16);
                logits = model->forward(x).to(torch::kFloat);
            }
            const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
            loss.backward();
            optimizer.step();
            result.lossAfter = loss.item<double>();
        }
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        result.imagesPerSecond = double(steps) * batchSize / seconds;
        result.forwardGflop = 2 * forwardMacs(width, channels, size, kClasses) / 1e9;
        result.gflopsPerSecond = 3 * result.forwardGflop * result.imagesPerSecond;
        return result;
    });
}

} // namespace winnow::core
