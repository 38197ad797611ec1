#include "core/train/resnet.h"

namespace winnow::core {
namespace {

torch::nn::Conv2d conv3x3(std::int64_t in, std::int64_t out, std::int64_t stride) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

} // namespace

BasicBlockImpl::BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride) {
    m_conv1 = register_module("conv1", conv3x3(in, out, stride));
    m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(out));
    m_conv2 = register_module("conv2", conv3x3(out, out, 1));
    m_bn2 = register_module("bn2", torch::nn::BatchNorm2d(out));
    m_shortcut = register_module("shortcut", torch::nn::Sequential());
    if (stride != 1 || in != out) {
        m_shortcut->push_back(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
        m_shortcut->push_back(torch::nn::BatchNorm2d(out));
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor &x) {
    torch::Tensor y = torch::relu(m_bn1(m_conv1(x)));
    y = m_bn2(m_conv2(y));
    return torch::relu(y + (m_shortcut->is_empty() ? x : m_shortcut->forward(x)));
}

ResNet18Impl::ResNet18Impl(std::int64_t inputChannels, std::int64_t classes, std::int64_t width) {
    // The CIFAR stem keeps PyTorch's default initialisation, as CORDS's replacement conv1 does.
    m_stem = register_module("conv1", conv3x3(inputChannels, width, 1));
    m_bn = register_module("bn1", torch::nn::BatchNorm2d(width));
    m_layers = register_module("layers", torch::nn::Sequential());
    std::int64_t in = width;
    for (int stage = 0; stage < 4; ++stage) {
        const std::int64_t out = width << stage;
        for (int block = 0; block < 2; ++block) {
            auto b = BasicBlock(in, out, stage > 0 && block == 0 ? 2 : 1);
            // torchvision's init: kaiming normal (fan out) for convolutions, BN weight 1, bias 0.
            for (auto &module : b->modules(false)) {
                if (auto *conv = module->as<torch::nn::Conv2d>())
                    torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut,
                                                     torch::kReLU);
            }
            m_layers->push_back(b);
            in = out;
        }
    }
    m_embedding = in;
    m_fc = register_module("fc", torch::nn::Linear(in, classes));
}

std::pair<torch::Tensor, torch::Tensor> ResNet18Impl::forwardWithEmbedding(const torch::Tensor &x) {
    torch::Tensor y = torch::relu(m_bn(m_stem(x)));
    y = m_layers->forward(y);
    const torch::Tensor embedding = torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1);
    return {embedding, m_fc(embedding)};
}

torch::Tensor ResNet18Impl::forward(const torch::Tensor &x) {
    return forwardWithEmbedding(x).second;
}

} // namespace winnow::core
