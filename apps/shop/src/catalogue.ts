import { KoreaService, toMinorUnits } from '@diamondpay/core';

export interface Product {
  id: string;
  name: string;
  nameKo: string;
  /** Price in cents (won × 100). */
  priceCents: number;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 'red-ginseng',
    name: 'Red ginseng gift set',
    nameKo: '홍삼 선물세트',
    priceCents: toMinorUnits('89000'),
  },
  { id: 'jeju-tea', name: 'Jeju green tea', nameKo: '제주 녹차', priceCents: toMinorUnits('25000') },
  { id: 'kimchi', name: 'Aged kimchi, 2 kg', nameKo: '묵은지 2kg', priceCents: toMinorUnits('32500') },
];

export const SERVICES: readonly { id: string; label: string; labelKo: string }[] = [
  { id: KoreaService.BANK_CARD, label: 'Bank card', labelKo: '카드 결제' },
  { id: KoreaService.BANK_DIRECT, label: 'Bank transfer', labelKo: '계좌 이체' },
  { id: KoreaService.QR_CODE, label: 'QR code', labelKo: 'QR 결제' },
];
