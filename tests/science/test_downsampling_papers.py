"""The published downsampling results chapter 4 quotes, and the layer lists."""

import pytest

from cnnbook import calc
from cnnbook.science import downsampling_papers as papers


def params(variant):
    return calc.analyze((32, 32, 3), papers.all_conv_layers(variant)).params


def test_all_conv_variants_have_the_paper_shapes_and_counts():
    # 3x3 convs with biases: 3->96, 96->96, 96->192, 192->192 (twice), then the
    # 1x1 convs 192->192 and 192->10; the extra conv adds 96->96 and 192->192.
    base = 2688 + 83040 + 166080 + 331968 + 331968 + 37056 + 1930
    assert params("Model C") == params("Strided-CNN-C") == base == 954_730
    assert params("All-CNN-C") == params("ConvPool-CNN-C") == base + 83040 + 331968
    for variant in papers.ALL_CONV_C:  # "global averaging over 6 x 6" (Table 1)
        report = calc.analyze((32, 32, 3), papers.all_conv_layers(variant))
        assert report.layers[-2].output_shape == (6, 6, 10)
    strided = calc.analyze((32, 32, 3), papers.all_conv_layers("Strided-CNN-C"))
    assert (
        strided.macs < calc.analyze((32, 32, 3), papers.all_conv_layers("Model C")).macs
    )


def test_published_figures_are_the_quoted_ones():
    assert papers.ALL_CONV_C["Strided-CNN-C"] > papers.ALL_CONV_C["Model C"]
    assert min(papers.ALL_CONV_C, key=papers.ALL_CONV_C.get) == "All-CNN-C"
    tweaks = list(papers.RESNET50_TWEAKS.values())
    assert tweaks == sorted(tweaks)  # each tweak adds accuracy (Table 5)
    base, blurred = papers.BLUR_POOL_RESNET50.values()
    assert blurred["accuracy"] > base["accuracy"] and blurred["consistency"] < 100


def test_an_unknown_variant_is_named():
    with pytest.raises(ValueError, match="variant must be one of"):
        papers.all_conv_layers("All-CNN-D")


def test_table_3s_printed_counts_against_the_layer_lists():
    """Chapter 4 says the paper's Table 3 and the layer lists agree for the
    networks with extra convolutions, and disagree by more than the paper's
    rounding (to 0.1 M) for Model C and Strided-CNN-C."""
    printed = papers.ALL_CONV_C_PARAMS_M
    assert printed.keys() == papers.ALL_CONV_C.keys()
    for variant in ("All-CNN-C", "ConvPool-CNN-C"):
        assert round(params(variant) / 1e6, 1) == printed[variant]
    for variant in ("Model C", "Strided-CNN-C"):
        assert abs(params(variant) / 1e6 - printed[variant]) > 0.05
