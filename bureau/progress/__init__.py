"""周调度: weekly progress reports, deadlines, reporting rates, review and lock."""
