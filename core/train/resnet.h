#pragma once

// ResNet-18 in the CIFAR form (GLISTER.md section 3): 3x3 stride-1 stem, no max-pool, four
// stages of two basic blocks at widths w, 2w, 4w, 8w, global average pool, linear head. A
// private header of core: it exposes LibTorch types.

#include <torch/torch.h>
#include <utility>

namespace winnow::core {

class BasicBlockImpl : public torch::nn::Module {
public:
    BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride);
    torch::Tensor forward(const torch::Tensor &x);

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr};
    torch::nn::Sequential m_shortcut{nullptr};
};
TORCH_MODULE(BasicBlock);

class ResNet18Impl : public torch::nn::Module {
public:
    ResNet18Impl(std::int64_t inputChannels, std::int64_t classes, std::int64_t width = 64);

    torch::Tensor forward(const torch::Tensor &x);
    // The penultimate features (after the average pool) and the logits computed from them.
    std::pair<torch::Tensor, torch::Tensor> forwardWithEmbedding(const torch::Tensor &x);
    std::int64_t embeddingSize() const { return m_embedding; }
    torch::nn::Linear &head() { return m_fc; }

private:
    torch::nn::Conv2d m_stem{nullptr};
    torch::nn::BatchNorm2d m_bn{nullptr};
    torch::nn::Sequential m_layers{nullptr};
    torch::nn::Linear m_fc{nullptr};
    std::int64_t m_embedding = 0;
};
TORCH_MODULE(ResNet18);

} // namespace winnow::core
