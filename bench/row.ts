export interface BenchRow { what: string; value: number; unit: string; baseline?: { what: string; value: number; unit: string }; ratio?: number; target: string; met?: boolean; note?: string }
