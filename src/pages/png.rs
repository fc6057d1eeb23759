//! The map as a PNG, rasterised from the same SVG (resvg, pure Rust), for social cards
//! (`og:image`) and newsletters that cannot show SVG.

/// Rasterises `svg` at `width` pixels wide, keeping its aspect ratio.
pub fn rasterise(svg: &str, width: u32) -> Result<Vec<u8>, String> {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default())
        .map_err(|e| format!("map SVG: {e}"))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height.max(1))
        .ok_or_else(|| "map PNG: empty size".to_string())?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| format!("map PNG: {e}"))
}
