/**
 * The white-background plugin, shared by the PNG renderer and (as source text) the HTML report,
 * so the two never drift apart.
 */
import type { Plugin } from 'chart.js';

/** Paints the canvas white first: PNGs are transparent otherwise and unreadable on dark viewers. */
export const whiteBackground: Plugin = {
  id: 'ecnyWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};
